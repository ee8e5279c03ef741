import Logging
import Hummingbird
import MCPCore

extension StreamableHTTPEndpoint {
    /// A POST under the session-based rules (2025-03-26 … 2025-11-25).
    func postLegacy(_ message: JSONRPCMessage, headers: MCPHeaders, principal: Principal?, context: Context, accepted: AcceptedMediaTypes) async -> Response {
        if let versionHeader = headers.protocolVersion {
            let value = versionHeader.trimmingSpaces
            guard let version = ProtocolVersion(rawValue: value), !version.isModern else {
                let supported = ProtocolVersion.legacy.map(\.rawValue).joined(separator: ", ")
                return HTTPReply.error(
                    MCPError(code: .invalidRequest, message: "Bad Request: unsupported MCP-Protocol-Version '\(value)'; supported: \(supported)"),
                    status: .badRequest)
            }
        }
        if case .request(let initialize) = message, initialize.method == "initialize" {
            return self.initialize(initialize, principal: principal, accepted: accepted)
        }
        guard let sessionID = headers.sessionID else {
            let method = message.method
            let error = MCPError(code: .invalidRequest, message: "Bad Request: missing Mcp-Session-Id header; send initialize first")
            logRefusal(error, method: method, id: message.requestID, status: .badRequest)
            return HTTPReply.error(error, id: message.requestID, status: .badRequest)
        }
        // Another principal's session id is as unknown as a made-up one.
        guard let session = server.sessions.session(id: sessionID, for: principal) else {
            return HTTPReply.error(MCPError(code: .sessionNotFound, message: "Session not found"), id: message.requestID, status: .notFound)
        }
        switch message {
        case .notification(let notification):
            handleNotification(notification, session: session)
            return HTTPReply.accepted()
        case .response(let response):
            session.resolve(response.id, with: response.outcome.mapError { $0 as any Error })
            return HTTPReply.accepted()
        case .request(let call):
            if let refusal = refuseForbidden(call, principal: principal) { return refusal }
            let handlerContext = HandlerContext.legacy(call, session: session, principal: principal, logger: context.logger)
            return await run(call, context: handlerContext, session: session, accepted: accepted, channel: context.channel)
        }
    }

    func initialize(_ request: JSONRPCRequest, principal: Principal?, accepted: AcceptedMediaTypes) -> Response {
        do {
            let (session, result) = try server.initialize(request, principal: principal)
            logger.debug("session opened", metadata: ["mcp.session": "\(session.id.prefix(8))", "mcp.version": "\(session.protocolVersion.rawValue)"])
            return HTTPReply.message(
                JSONRPCEncoding.result(id: request.id, result: result), accepted: accepted, headers: [.mcpSessionID: session.id])
        } catch {
            let status = HTTPResponse.Status(code: error.httpStatus == 200 ? 400 : error.httpStatus)
            logRefusal(error, method: request.method, id: request.id, status: status)
            let headers: HTTPFields = status == .serviceUnavailable ? [.retryAfter: "5"] : [:]
            return HTTPReply.message(JSONRPCEncoding.error(error, id: request.id), accepted: accepted, status: status, headers: headers)
        }
    }

    func handleNotification(_ notification: JSONRPCNotification, session: Session) {
        switch notification.method {
        case "notifications/cancelled":
            if let id = notification.params["requestId"].flatMap(JSONRPCID.init(json:)) { session.cancelRequest(id) }
        default:
            // notifications/initialized, notifications/roots/list_changed, …: nothing to do.
            break
        }
    }

    /// A JSON-RPC batch, allowed only in sessions negotiated at 2025-03-26 (removed in 2025-06-18).
    func postBatch(_ elements: [JSONValue], headers: MCPHeaders, principal: Principal?, context: Context, accepted: AcceptedMediaTypes) async -> Response {
        guard let sessionID = headers.sessionID else {
            return HTTPReply.error(
                MCPError(code: .invalidRequest, message: "Bad Request: JSON-RPC batches are only accepted in a 2025-03-26 session (initialize must not be batched)"),
                status: .badRequest)
        }
        guard let session = server.sessions.session(id: sessionID, for: principal) else {
            return HTTPReply.error(MCPError(code: .sessionNotFound, message: "Session not found"), status: .notFound)
        }
        guard session.protocolVersion.allowsBatches else {
            return HTTPReply.error(
                MCPError(code: .invalidRequest, message: "Bad Request: JSON-RPC batches are not allowed in protocol version \(session.protocolVersion.rawValue)"),
                status: .badRequest)
        }
        guard !elements.isEmpty else {
            return HTTPReply.error(MCPError(code: .invalidRequest, message: "Invalid Request: empty batch"), status: .badRequest)
        }
        var replies: [[UInt8]] = []
        for element in elements {
            let message: JSONRPCMessage
            do {
                message = try JSONRPCMessage(json: element)
            } catch {
                replies.append(JSONRPCEncoding.error(error, id: error.id))
                continue
            }
            switch message {
            case .notification(let notification): handleNotification(notification, session: session)
            case .response(let response): session.resolve(response.id, with: response.outcome.mapError { $0 as any Error })
            case .request(let call) where call.method == "initialize":
                replies.append(JSONRPCEncoding.error(MCPError(code: .invalidRequest, message: "initialize must not be part of a batch"), id: call.id))
            case .request(let call):
                if let forbidden = forbiddenError(call, principal: principal) {
                    // One forbidden element cannot make the batch's status 403; it gets its own error.
                    replies.append(JSONRPCEncoding.error(forbidden, id: call.id))
                    continue
                }
                let outcome = await server.handle(call, context: .legacy(call, session: session, principal: principal, logger: context.logger))
                replies.append(Self.encode(outcome, id: call.id))
            }
        }
        guard !replies.isEmpty else { return HTTPReply.accepted() }
        var body: [UInt8] = [UInt8(ascii: "[")]
        for (index, reply) in replies.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: reply)
        }
        body.append(UInt8(ascii: "]"))
        return HTTPReply.message(body, accepted: accepted)
    }
}

extension JSONRPCMessage {
    var method: String? {
        switch self {
        case .request(let request): request.method
        case .notification(let notification): notification.method
        case .response: nil
        }
    }

    var requestID: JSONRPCID? {
        if case .request(let request) = self { return request.id }
        return nil
    }
}
