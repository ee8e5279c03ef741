public import Hummingbird
public import Logging
public import MCPCore
import NIOCore

/// The MCP endpoint over Streamable HTTP, serving both protocol eras on one path.
///
/// Each POST is classified once: a body whose `params._meta` names a protocol version (or
/// a request whose `MCP-Protocol-Version` header names a non-legacy version) follows the
/// stateless 2026-07-28 rules; everything else follows the session-based 2025-03-26 …
/// 2025-11-25 rules. Replies are JSON unless the handler emits something before its
/// result or the client accepts only SSE.
///
/// - SeeAlso: spec `basic/transports` (2025-03-26 … 2025-11-25) and
///   `basic/transports/streamable-http` (2026-07-28).
public struct StreamableHTTPEndpoint<Context: ChannelRequestContext>: Sendable {
    public let server: MCPServer
    public let options: EndpointOptions
    let closeMonitor: ConnectionCloseMonitor
    let keepAlive: KeepAliveTicker
    let deadlines: CallDeadlines
    /// Who may call; `nil` serves everyone (authentication off).
    let gate: (any RequestGate)?
    /// Open SSE responses by kind, for the metrics listener.
    public let openStreams: OpenStreams
    let logger: Logger

    /// - Parameter closeMonitor: the monitor whose channel handler is installed on every
    ///   connection (see ``ConnectionCloseMonitor/makeChannelHandler()``); it is how a 2026-07-28
    ///   client's closed stream becomes cancellation.
    /// - Parameter keepAlive: the ticker (run as a service) that wakes quiet SSE streams for a keep-alive comment.
    /// - Parameter deadlines: the sweeper (run as a service) that cancels calls past their time limit.
    /// - Parameter gate: authentication; sessions, tasks and `requestState` are bound to the principal it admits.
    public init(
        server: MCPServer, options: EndpointOptions = EndpointOptions(), closeMonitor: ConnectionCloseMonitor,
        keepAlive: KeepAliveTicker = KeepAliveTicker(interval: nil), deadlines: CallDeadlines = CallDeadlines(limit: nil),
        gate: (any RequestGate)? = nil, openStreams: OpenStreams = OpenStreams(), logger: Logger = Logger(label: "portico.http")
    ) {
        self.openStreams = openStreams
        self.gate = gate
        self.deadlines = deadlines
        self.server = server
        self.options = options
        self.closeMonitor = closeMonitor
        self.keepAlive = keepAlive
        self.logger = logger
    }

    /// Adds the endpoint's routes to `router`. Hummingbird's router matches `path` and
    /// `path/` alike, so both are served and neither is redirected.
    public func register(on router: Router<Context>) {
        do {
            let routerPath = RouterPath(options.path)
            router.post(routerPath) { request, context in await self.post(request, context: context) }
            router.get(routerPath) { request, context in await self.get(request, context: context) }
            router.delete(routerPath) { request, context in await self.delete(request, context: context) }
            for method in [HTTPRequest.Method.put, .patch] {
                router.on(routerPath, method: method) { _, _ in
                    Response(status: .methodNotAllowed, headers: [.allow: "GET, POST, DELETE"])
                }
            }
        }
    }

    // MARK: Shared checks

    /// Host and Origin checks against DNS rebinding; `nil` when the request may proceed.
    func refuseForeignCaller(_ request: Request, origin: String?) -> Response? {
        let host = request.head.authority
        guard options.originPolicy.allowsHost(host) else {
            logger.notice("refused request: Host not allowed", metadata: ["host": "\(host ?? "(none)")"])
            return HTTPReply.error(MCPError(code: .invalidRequest, message: "Host '\(host ?? "")' is not allowed"), status: .forbidden)
        }
        guard options.originPolicy.allowsOrigin(origin, host: host) else {
            logger.notice("refused request: Origin not allowed", metadata: ["origin": "\(origin ?? "")"])
            return HTTPReply.error(MCPError(code: .invalidRequest, message: "Origin '\(origin ?? "")' is not allowed"), status: .forbidden)
        }
        return nil
    }

    func logRefusal(_ error: MCPError, method: String?, id: JSONRPCID?, status: HTTPResponse.Status) {
        logger.info(
            "request refused",
            metadata: [
                "mcp.method": "\(method ?? "-")", "mcp.id": "\(id?.description ?? "-")", "http.status": "\(status.code)",
                "mcp.error": "\(error.code.rawValue) \(error.message)",
            ])
    }

    // MARK: POST

    func post(_ request: Request, context: Context) async -> Response {
        let headers = MCPHeaders(request.headers)
        if let refusal = refuseForeignCaller(request, origin: headers.origin) { return refusal }
        // Before the body is read: an unauthenticated caller costs no more than its headers.
        let (principal, refusal) = await admit(request, context: context)
        if let refusal { return refusal }
        let accepted = AcceptedMediaTypes(header: headers.accept)
        guard accepted.acceptsAny else {
            return HTTPReply.error(
                MCPError(code: .invalidRequest, message: "Not Acceptable: the Accept header must list application/json or text/event-stream"),
                status: .notAcceptable)
        }
        let json: JSONValue
        switch await readJSONBody(of: request, headers: headers) {
        case .json(let value): json = value
        case .refused(let refusal): return refusal
        }
        if case .array(let elements) = json {
            context.requestRecord?.note(method: "batch", era: .session)
            return await postBatch(elements, headers: headers, principal: principal, context: context, accepted: accepted)
        }
        let message: JSONRPCMessage
        do {
            message = try JSONRPCMessage(json: json)
        } catch {
            logRefusal(error, method: nil, id: error.id, status: .badRequest)
            return HTTPReply.error(error, status: .badRequest)
        }
        let modern = isModern(message, headers: headers)
        context.requestRecord?.note(message, era: modern ? .stateless : .session)
        if modern {
            return await postModern(message, request: request, headers: headers, principal: principal, context: context, accepted: accepted)
        }
        return await postLegacy(message, headers: headers, principal: principal, context: context, accepted: accepted)
    }

    /// The outcome of reading a POSTed JSON body.
    enum JSONBody {
        case json(JSONValue)
        case refused(Response)
    }

    /// Reads a POST body once and parses it once: Content-Type (415), size declared and
    /// actual (413, connection closed), JSON syntax (400 + -32700). Shared by the MCP
    /// endpoint and the 2024-11-05 POST endpoint.
    func readJSONBody(of request: Request, headers: MCPHeaders) async -> JSONBody {
        guard JSONContentType.matches(headers.contentType) else {
            return .refused(HTTPReply.error(
                MCPError(code: .invalidRequest, message: "Unsupported Media Type: Content-Type must be application/json"),
                status: .unsupportedMediaType))
        }
        let tooLarge = HTTPReply.error(
            MCPError(code: .invalidRequest, message: "Request body exceeds the limit of \(options.maxBodyBytes) bytes"),
            status: .contentTooLarge, headers: [.connection: "close"])
        if let length = headers.contentLength.flatMap({ Int($0) }), length > options.maxBodyBytes {
            return .refused(tooLarge)
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: options.maxBodyBytes)
        } catch {
            return .refused(tooLarge)
        }
        do {
            return .json(try body.withUnsafeReadableBytes { try JSONParser.parse($0) })
        } catch {
            let error = MCPError(code: .parseError, message: "Parse error: \(error)")
            logRefusal(error, method: nil, id: nil, status: .badRequest)
            return .refused(HTTPReply.error(error, status: .badRequest))
        }
    }

    /// The era of a single message: modern when `_meta` names a version, or when no session
    /// is involved and the version header is not a legacy one.
    func isModern(_ message: JSONRPCMessage, headers: MCPHeaders) -> Bool {
        let params: JSONObject
        let method: String
        switch message {
        case .request(let request): (params, method) = (request.params, request.method)
        case .notification(let notification): (params, method) = (notification.params, notification.method)
        case .response: return headers.sessionID == nil && headers.protocolVersion.map(Self.isModernVersionHeader) ?? false
        }
        if params["_meta"]?[MetaKey.protocolVersion] != nil { return true }
        if headers.sessionID != nil || method == "initialize" { return false }
        if method == "server/discover" { return true }
        return headers.protocolVersion.map(Self.isModernVersionHeader) ?? false
    }

    static func isModernVersionHeader(_ value: String) -> Bool {
        guard let version = ProtocolVersion(rawValue: value.trimmingSpaces) else { return true }
        return version.isModern
    }

    // MARK: DELETE

    func delete(_ request: Request, context: Context) async -> Response {
        if let refusal = refuseForeignCaller(request, origin: request.headers[.origin]) { return refusal }
        let (principal, refusal) = await admit(request, context: context)
        if let refusal { return refusal }
        guard let sessionID = request.headers[.mcpSessionID] else {
            if request.headers[.mcpProtocolVersion].map(Self.isModernVersionHeader) ?? false {
                return HTTPReply.error(
                    MCPError(code: .invalidRequest, message: "Method Not Allowed: 2026-07-28 has no sessions to delete"),
                    status: .methodNotAllowed, headers: [.allow: "POST"])
            }
            return HTTPReply.error(MCPError(code: .invalidRequest, message: "Bad Request: DELETE needs an Mcp-Session-Id header"), status: .badRequest)
        }
        guard server.sessions.remove(id: sessionID, for: principal) else {
            return HTTPReply.error(MCPError(code: .sessionNotFound, message: "Session not found"), status: .notFound)
        }
        return Response(status: .ok, headers: [.contentLength: "0"])
    }
}
