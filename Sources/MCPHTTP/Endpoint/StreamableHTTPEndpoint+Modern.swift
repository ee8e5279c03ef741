import Logging
import Hummingbird
import MCPCore

extension StreamableHTTPEndpoint {
    /// A POST under the stateless 2026-07-28 rules: everything the server needs is in this request.
    ///
    /// Checks run in the order that gives each failure its specified code: `_meta` (-32602),
    /// version header vs body (-32020), served version (-32022), `Mcp-Method`/`Mcp-Name`
    /// and `Mcp-Param-*` headers (-32020); unknown methods then get 404 + -32601.
    /// An incoming `Mcp-Session-Id` is ignored.
    func postModern(
        _ message: JSONRPCMessage, request: Request, headers: MCPHeaders, principal: Principal?, context: Context, accepted: AcceptedMediaTypes
    ) async -> Response {
        let call: JSONRPCRequest
        switch message {
        case .notification:
            return HTTPReply.accepted()
        case .response(let response):
            let error = MCPError(code: .invalidRequest, message: "Invalid Request: 2026-07-28 clients must not send JSON-RPC responses")
            return HTTPReply.error(error, id: response.id, status: .badRequest)
        case .request(let request):
            call = request
        }
        do throws(MCPError) {
            let meta = try RequestMeta(request: call)
            guard let versionHeader = headers.protocolVersion?.trimmingSpaces else {
                throw Self.headerMismatch("missing MCP-Protocol-Version header", id: call.id)
            }
            guard versionHeader == meta.protocolVersionText else {
                throw Self.headerMismatch(
                    "MCP-Protocol-Version header '\(versionHeader)' does not match _meta protocolVersion '\(meta.protocolVersionText)'", id: call.id)
            }
            let version = try meta.servedVersion(id: call.id)
            try validateStandardHeaders(of: call, headers: headers)
            if call.method == "subscriptions/listen" {
                // Counted when the stream opens or is refused; it has no handler time to measure.
                do {
                    let stream = try listen(call, clientCapabilities: meta.clientCapabilities, principal: principal, accepted: accepted, channel: context.channel)
                    server.metrics?.record(method: call.method, tool: nil, era: .stateless, outcome: .ok, duration: nil)
                    return stream
                } catch {
                    server.metrics?.record(method: call.method, tool: nil, era: .stateless, outcome: .error, duration: nil)
                    throw error
                }
            }
            if call.method == "tools/call", case .string(let name)? = call.params["name"], let tool = server.registry.tool(named: name) {
                try ParameterHeaders.validate(tool: tool, arguments: call.params["arguments"]?.objectValue ?? [:], headers: request.headers, id: call.id)
            }
            if let refusal = refuseForbidden(call, principal: principal) { return refusal }
            let handlerContext = HandlerContext.modern(call, meta: meta, version: version, principal: principal, logger: context.logger)
            return await run(call, context: handlerContext, session: nil, accepted: accepted, channel: context.channel)
        } catch {
            let status = HTTPReply.status(for: error, modern: true)
            logRefusal(error, method: call.method, id: call.id, status: status)
            let headers: HTTPFields = status == .serviceUnavailable ? [.retryAfter: "5"] : [:]
            return HTTPReply.message(JSONRPCEncoding.error(error, id: call.id), accepted: accepted, status: status, headers: headers)
        }
    }

    static func headerMismatch(_ detail: String, id: JSONRPCID) -> MCPError {
        MCPError(code: .headerMismatch, message: "Header mismatch: \(detail)", id: id, httpStatus: 400)
    }

    /// `Mcp-Method` on every request; `Mcp-Name` on `tools/call`, `prompts/get`, `resources/read`.
    func validateStandardHeaders(of call: JSONRPCRequest, headers: MCPHeaders) throws(MCPError) {
        guard let rawMethod = headers.method else {
            throw Self.headerMismatch("missing Mcp-Method header (expected '\(call.method)')", id: call.id)
        }
        let method = rawMethod.trimmingSpaces
        guard method == call.method else {
            throw Self.headerMismatch("Mcp-Method header value '\(method)' does not match body method '\(call.method)'", id: call.id)
        }
        let nameField: String
        switch call.method {
        case "tools/call", "prompts/get": nameField = "name"
        case "resources/read": nameField = "uri"
        case "tasks/get", "tasks/update", "tasks/cancel": nameField = "taskId"
        default: return
        }
        guard let rawName = headers.name else {
            throw Self.headerMismatch("missing Mcp-Name header (required for \(call.method))", id: call.id)
        }
        let name: String
        do {
            name = try HeaderValueCoding.decode(rawName)
        } catch {
            throw Self.headerMismatch("Mcp-Name header value is malformed (\(error == .invalidBase64 ? "invalid base64" : "invalid characters"))", id: call.id)
        }
        // A missing body value is the dispatcher's -32602; only a present, different value is a mismatch.
        if case .string(let bodyValue)? = call.params[nameField], bodyValue != name {
            throw Self.headerMismatch("Mcp-Name header value '\(name)' does not match body value '\(bodyValue)'", id: call.id)
        }
    }
}
