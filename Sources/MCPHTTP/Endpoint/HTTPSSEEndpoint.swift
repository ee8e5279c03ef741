public import Hummingbird
import Logging
import MCPCore
import NIOCore

/// The deprecated 2024-11-05 HTTP+SSE transport, for clients that predate Streamable HTTP
/// (spec 2024-11-05 basic/transports; kept alongside the MCP endpoint as the later
/// revisions' §Backwards Compatibility suggests).
///
/// `GET /sse` opens the stream and names the POST endpoint in an `endpoint` event;
/// `POST /messages?session_id=…` takes one JSON-RPC message and answers 202, the reply
/// going out on the stream as `event: message`. Sessions, handlers, progress and
/// server→client requests are the same machinery as Streamable HTTP's legacy era.
public struct HTTPSSEEndpoint<Context: ChannelRequestContext>: Sendable {
    let streamable: StreamableHTTPEndpoint<Context>
    let connections: HTTPSSEConnections
    public let streamPath: String
    public let messagesPath: String

    public init(streamable: StreamableHTTPEndpoint<Context>, connections: HTTPSSEConnections, streamPath: String = "/sse", messagesPath: String = "/messages") {
        self.streamable = streamable
        self.connections = connections
        self.streamPath = streamPath
        self.messagesPath = messagesPath
    }

    var server: MCPServer { streamable.server }

    public func register(on router: Router<Context>) {
        router.get(RouterPath(streamPath)) { request, context in await self.open(request, context: context) }
        router.post(RouterPath(messagesPath)) { request, context in await self.receive(request, context: context) }
    }

    // MARK: GET /sse

    func open(_ request: Request, context: Context) async -> Response {
        if let refusal = streamable.refuseForeignCaller(request, origin: request.headers[.origin]) { return refusal }
        let (principal, refusal) = await streamable.admit(request, context: context)
        if let refusal { return refusal }
        if let accept = request.headers[.accept], !AcceptedMediaTypes(header: accept).eventStream {
            return HTTPReply.error(MCPError(code: .invalidRequest, message: "Not Acceptable: GET \(streamPath) needs Accept: text/event-stream"), status: .notAcceptable)
        }
        guard connections.count < connections.maximumConnections else {
            return HTTPReply.error(
                MCPError(code: .internalError, message: "Too many open SSE connections; try again later"), status: .serviceUnavailable, headers: [.retryAfter: "5"])
        }
        let connections = self.connections
        let sessions = server.sessions
        let streamable = self.streamable
        let messagesPath = self.messagesPath
        let channel = context.channel
        return Response(
            status: .ok, headers: HTTPReply.sseHeaders,
            body: ResponseBody { writer in
                // Registered only once the body runs: a client gone before the head is written
                // leaves nothing behind.
                guard let connection = connections.open(owner: principal?.id) else {
                    try await writer.finish(nil)
                    return
                }
                defer {
                    connections.remove(connection)
                    // The stream was the session's only way back: without it the session is over.
                    if let session = connection.session { sessions.remove(id: session.id) }
                }
                // Replies are `.message`s on this stream: it ends only with the connection or at shutdown.
                try await streamable.serveLongLived(
                    connection.outbound, kind: .httpSSE, opening: SSEFrame.endpoint("\(messagesPath)?session_id=\(connection.id)"), channel: channel, writer: &writer)
            })
    }

    // MARK: POST /messages

    func receive(_ request: Request, context: Context) async -> Response {
        if let refusal = streamable.refuseForeignCaller(request, origin: request.headers[.origin]) { return refusal }
        let (principal, refusal) = await streamable.admit(request, context: context)
        if let refusal { return refusal }
        guard let id = request.uri.queryParameters["session_id"].map(String.init), !id.isEmpty else {
            return HTTPReply.error(MCPError(code: .invalidRequest, message: "Bad Request: missing session_id query parameter"), status: .badRequest)
        }
        guard let connection = connections.connection(id: id), connection.owner == principal?.id else {
            return HTTPReply.error(MCPError(code: .sessionNotFound, message: "Session not found: open \(streamPath) first"), status: .notFound)
        }
        let json: JSONValue
        switch await streamable.readJSONBody(of: request, headers: MCPHeaders(request.headers)) {
        case .json(let value): json = value
        case .refused(let refusal): return refusal
        }
        let message: JSONRPCMessage
        do {
            message = try JSONRPCMessage(json: json)
        } catch {
            streamable.logRefusal(error, method: nil, id: error.id, status: .badRequest)
            return HTTPReply.error(error, status: .badRequest)
        }
        context.requestRecord?.note(message, era: .httpSSE)
        switch message {
        case .request(let call) where call.method == "initialize":
            do {
                let (session, result) = try server.initialize(call, versions: ProtocolVersion.httpSSE, principal: principal)
                guard connection.bind(session), session.attachPushStream(connection.outbound) else {
                    server.sessions.remove(id: session.id)
                    await connection.outbound.send(JSONRPCEncoding.error(MCPError(code: .invalidRequest, message: "This connection is already initialized"), id: call.id))
                    return HTTPReply.accepted()
                }
                await connection.outbound.send(JSONRPCEncoding.result(id: call.id, result: result))
            } catch {
                await connection.outbound.send(JSONRPCEncoding.error(error, id: call.id))
            }
            return HTTPReply.accepted()
        case .request(let call):
            guard let session = connection.session else {
                await connection.outbound.send(JSONRPCEncoding.error(MCPError(code: .invalidRequest, message: "Send initialize first"), id: call.id))
                return HTTPReply.accepted()
            }
            if let forbidden = streamable.forbiddenError(call, principal: principal) {
                // The reply travels on the stream, so the refusal does too.
                await connection.outbound.send(JSONRPCEncoding.error(forbidden, id: call.id))
                return HTTPReply.accepted()
            }
            dispatch(call, session: session, principal: principal, connection: connection, logger: context.logger)
            return HTTPReply.accepted()
        case .notification(let notification):
            if let session = connection.session { streamable.handleNotification(notification, session: session) }
            return HTTPReply.accepted()
        case .response(let response):
            connection.session?.resolve(response.id, with: response.outcome.mapError { $0 as any Error })
            return HTTPReply.accepted()
        }
    }

    /// Runs a request in its own task: its progress, logs and server→client requests go out
    /// on the connection's stream, then its response.
    func dispatch(_ call: JSONRPCRequest, session: Session, principal: Principal?, connection: HTTPSSEConnections.Connection, logger: Logger) {
        let stream = connection.outbound
        let server = self.server
        let context = HandlerContext.legacy(call, session: session, principal: principal, logger: logger).withStream(stream)
        let handler = CancellableTask()
        guard session.beginRequest(call.id, cancel: handler.cancel) else {
            let error = MCPError(code: .invalidRequest, message: "Request id \(call.id) is already in flight in this session")
            Task { await stream.send(JSONRPCEncoding.error(error, id: call.id)) }
            return
        }
        let deadlines = streamable.deadlines
        let task = Task.detached {
            let (outcome, timedOut) = await deadlines.handle(call, context: context, server: server, cancel: handler.cancel)
            session.endRequest(call.id)
            // A cancelled request answers nothing (utilities/cancellation); a timed-out one says so.
            guard !Task.isCancelled || timedOut else { return }
            await stream.send(StreamableHTTPEndpoint<Context>.encode(outcome, id: call.id))
        }
        handler.set(task)
    }
}
