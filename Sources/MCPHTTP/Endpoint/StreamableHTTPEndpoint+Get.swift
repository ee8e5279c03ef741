import Logging
import Hummingbird
import MCPCore
import NIOCore

extension StreamableHTTPEndpoint {
    /// GET: the legacy standalone SSE stream for server-initiated notifications
    /// (transports §Listening for Messages from the Server). One per session: a second is 409.
    /// 2026-07-28 has no GET stream: without a legacy session the answer is 405.
    func get(_ request: Request, context: Context) async -> Response {
        if let refusal = refuseForeignCaller(request, origin: request.headers[.origin]) { return refusal }
        guard let sessionID = request.headers[.mcpSessionID] else {
            if let version = request.headers[.mcpProtocolVersion], !Self.isModernVersionHeader(version) {
                return HTTPReply.error(MCPError(code: .invalidRequest, message: "Bad Request: missing Mcp-Session-Id header"), status: .badRequest)
            }
            return HTTPReply.error(
                MCPError(code: .invalidRequest, message: "Method Not Allowed: GET streams need a legacy session; 2026-07-28 clients use subscriptions/listen"),
                status: .methodNotAllowed, headers: [.allow: "POST"])
        }
        guard AcceptedMediaTypes(header: request.headers[.accept]).eventStream else {
            return HTTPReply.error(MCPError(code: .invalidRequest, message: "Not Acceptable: GET needs Accept: text/event-stream"), status: .notAcceptable)
        }
        guard let session = server.sessions.session(id: sessionID) else {
            return HTTPReply.error(MCPError(code: .sessionNotFound, message: "Session not found"), status: .notFound)
        }
        let stream = MessageStream()
        guard session.attachStandaloneStream(stream) else {
            return HTTPReply.error(MCPError(code: .invalidRequest, message: "Conflict: only one GET stream is allowed per session"), status: .conflict)
        }
        let registration = closeMonitor.add(channel: context.channel) { stream.close() }
        let closeMonitor = self.closeMonitor
        return Response(
            status: .ok, headers: HTTPReply.sseHeaders,
            body: ResponseBody { writer in
                defer {
                    closeMonitor.remove(registration)
                    session.detachStandaloneStream(stream)
                }
                // An immediate comment flushes the headers, so the client sees the stream open.
                try await writer.write(SSEFrame.keepAlive)
                while case .message(let bytes)? = await stream.next() {
                    try await writer.write(SSEFrame.message(bytes))
                }
                try await writer.finish(nil)
            })
    }
}
