import Logging
import Hummingbird
import MCPCore
import NIOCore

/// Builders for the few response shapes the endpoint sends.
enum HTTPReply {
    static let sseHeaders: HTTPFields = [
        .contentType: "text/event-stream",
        .cacheControl: "no-cache, no-transform",
        .xAccelBuffering: "no",
    ]

    static let jsonHeaders: HTTPFields = [.contentType: "application/json"]

    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = jsonHeaders
        if !headers.isEmpty { fields.append(contentsOf: headers) }
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// One complete message as a finished SSE stream, for clients that accept only SSE.
    static func singleEvent(_ bytes: [UInt8], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = sseHeaders
        fields.append(contentsOf: headers)
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: SSEFrame.message(bytes)))
    }

    /// A final JSON-RPC message in the form the client prefers: JSON when it accepts it, else SSE.
    static func message(_ bytes: [UInt8], accepted: AcceptedMediaTypes, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        accepted.json ? json(bytes, status: status, headers: headers) : singleEvent(bytes, status: status, headers: headers)
    }

    static func accepted() -> Response {
        Response(status: .accepted, headers: [.contentLength: "0"])
    }

    /// A transport-level refusal with a JSON-RPC error body (no `id` unless known), as the spec allows.
    static func error(_ error: MCPError, id: JSONRPCID? = nil, status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        json(JSONRPCEncoding.error(error, id: id), status: status, headers: headers)
    }

    static func status(for error: MCPError, modern: Bool) -> HTTPResponse.Status {
        if modern, error.code == .methodNotFound { return .notFound }
        return HTTPResponse.Status(code: error.httpStatus)
    }
}
