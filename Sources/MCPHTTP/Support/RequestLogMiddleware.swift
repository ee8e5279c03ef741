public import Hummingbird
import MCPCore

/// One JSON line per HTTP request on standard error: request id, method, path, status,
/// duration, and what the endpoint noted (era, JSON-RPC method, tool, principal id).
///
/// The request id is nginx's `X-Request-ID` (the rendered edge sets it to `$request_id`),
/// so a line here and nginx's access-log line for the same request share it; without nginx
/// one is made up. A streamed reply is logged when its stream ends, so `duration_ms` is the
/// stream's life, as in nginx's `$request_time`.
///
/// The line is built as bytes and written directly rather than through swift-log: at
/// thousands of requests a second, a metadata dictionary per line took 14 % of the server's
/// CPU, the bytes about 6 % (docs/BENCHMARKS.md, "Metrics").
public struct RequestLogMiddleware<Context: ChannelRequestContext>: RouterMiddleware {
    let label: String
    let write: @Sendable ([UInt8]) -> Void

    /// - Parameter write: where finished lines go; standard error by default.
    public init(label: String = "portico", write: @escaping @Sendable ([UInt8]) -> Void = { StandardStream.error.write($0) }) {
        self.label = label
        self.write = write
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let record = RequestRecord()
        var context = context
        context.requestRecord = record
        let head = request.head
        // nginx's ids are 32 hex digits; a longer one from a client is cut, not trusted to be small.
        let requestID = request.headers[.xRequestID].map { String($0.prefix(128)) } ?? Self.makeRequestID()
        let (label, write) = (self.label, self.write)
        let line = { @Sendable (status: Int) in
            write(Self.line(label: label, requestID: requestID, request: head, status: status, since: start, record: record.fields))
        }
        do {
            var response = try await next(request, context)
            guard response.body.contentLength == nil else {
                line(Int(response.status.code))
                return response
            }
            let body = response.body
            let status = Int(response.status.code)
            response.body = ResponseBody { writer in
                defer { line(status) }
                try await body.write(writer)
            }
            return response
        } catch {
            line((error as? any HTTPResponseError)?.status.code ?? 500)
            throw error
        }
    }

    static func line(
        label: String, requestID: String, request: HTTPRequest, status: Int, since start: ContinuousClock.Instant, record: RequestRecord.Fields
    ) -> [UInt8] {
        let microseconds = ((ContinuousClock.now - start).inSeconds * 1_000_000).rounded()
        var line = JSONLogLine(level: "info", label: label, message: "request")
        line.field("request_id", requestID)
        line.field("http.method", request.method.rawValue)
        // Without the query: it can hold a 2024-11-05 session id or a refused access token.
        line.field("http.path", String((request.path ?? "").prefix { $0 != "?" }))
        line.field("http.status", number: Double(status))
        line.field("duration_ms", number: microseconds / 1_000)
        if let era = record.era { line.field("mcp.era", era.label) }
        if let method = record.method { line.field("mcp.method", method) }
        if let tool = record.tool { line.field("mcp.tool", tool) }
        if let principal = record.principal { line.field("principal", principal) }
        return line.finished()
    }

    static func makeRequestID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = String(generator.next() as UInt64, radix: 16)
        let low = String(generator.next() as UInt64, radix: 16)
        return String(repeating: "0", count: 16 - high.count) + high + String(repeating: "0", count: 16 - low.count) + low
    }
}
