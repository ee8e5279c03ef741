public import Hummingbird
public import Logging
import MCPCore

/// One info line per HTTP request: request id, status, duration, and what the endpoint
/// noted (era, JSON-RPC method, tool, principal id).
///
/// The request id is nginx's `X-Request-ID` (the rendered edge sets it to `$request_id`),
/// so a line here and nginx's access-log line for the same request share it; without nginx
/// one is made up. A streamed reply is logged when its stream ends, so `duration_ms` is
/// the stream's life, as in nginx's `$request_time`.
public struct RequestLogMiddleware<Context: ChannelRequestContext>: RouterMiddleware {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let record = RequestRecord()
        var context = context
        context.requestRecord = record
        let requestID = request.headers[.xRequestID] ?? Self.makeRequestID()
        let logger = self.logger
        let line = { @Sendable (status: Int) in
            Self.log(logger, requestID: requestID, request: request.head, status: status, since: start, record: record.fields)
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

    static func log(_ logger: Logger, requestID: String, request: HTTPRequest, status: Int, since start: ContinuousClock.Instant, record: RequestRecord.Fields) {
        let elapsed = (ContinuousClock.now - start).components
        let milliseconds = Double(elapsed.seconds) * 1_000 + Double(elapsed.attoseconds) / 1e15
        var metadata: Logger.Metadata = [
            "request_id": "\(requestID)",
            "http.method": "\(request.method.rawValue)",
            "http.path": "\(request.path ?? "")",
            "http.status": "\(status)",
            "duration_ms": "\((milliseconds * 1_000).rounded() / 1_000)",
        ]
        if let era = record.era { metadata["mcp.era"] = "\(era.label)" }
        if let method = record.method { metadata["mcp.method"] = "\(method)" }
        if let tool = record.tool { metadata["mcp.tool"] = "\(tool)" }
        if let principal = record.principal { metadata["principal"] = "\(principal)" }
        logger.info("request", metadata: metadata)
    }

    static func makeRequestID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = String(generator.next() as UInt64, radix: 16)
        let low = String(generator.next() as UInt64, radix: 16)
        return String(repeating: "0", count: 16 - high.count) + high + String(repeating: "0", count: 16 - low.count) + low
    }
}
