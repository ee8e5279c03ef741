import Hummingbird
import MCPCore

extension StreamableHTTPEndpoint {
    /// Who sent `request`, or the response refusing it; without a gate everyone is admitted anonymously.
    func admit(_ request: Request, context: Context) async -> (Principal?, refusal: Response?) {
        guard let gate else { return (nil, nil) }
        switch await gate.admit(request.head, peer: context.channel.remoteAddress) {
        case .admit(let principal):
            context.requestRecord?.note(principal: principal)
            return (principal, nil)
        case .refuse(let refusal): return (nil, response(for: refusal))
        }
    }

    func response(for refusal: GateRefusal, id: JSONRPCID? = nil) -> Response {
        logRefusal(refusal.error, method: nil, id: id, status: refusal.status)
        return HTTPReply.error(refusal.error, id: id, status: refusal.status, headers: refusal.headers)
    }

    /// The 403 for a call of something `principal` lacks scopes for; `nil` when it may go ahead.
    /// Checked before the handler runs, so nothing of a forbidden call happens.
    func refuseForbidden(_ call: JSONRPCRequest, principal: Principal?) -> Response? {
        forbidden(call, principal: principal).map { response(for: $0, id: call.id) }
    }

    /// The error for a forbidden call whose reply cannot carry a 403 (a batch element, the
    /// 2024-11-05 stream); `nil` when it may go ahead. Same words as the 403, and counted alike.
    func forbiddenError(_ call: JSONRPCRequest, principal: Principal?) -> MCPError? {
        forbidden(call, principal: principal).map { refusal in
            MCPError(code: refusal.error.code, message: refusal.error.message, id: call.id, httpStatus: 403)
        }
    }

    /// The gate's refusal of a call of something `principal` lacks scopes for.
    private func forbidden(_ call: JSONRPCRequest, principal: Principal?) -> GateRefusal? {
        guard let gate, let principal, let item = Self.accessItem(of: call) else { return nil }
        let policy = server.options.access
        guard !policy.missingScopes(for: item, principal: principal).isEmpty else { return nil }
        return gate.insufficientScope(for: item, required: policy.requiredScopes(for: item).sorted())
    }

    /// What a request uses, for the methods that use one thing by name. Completions count as
    /// using their prompt or template, subscriptions as using their resource: neither may
    /// reach what the caller is not allowed to see.
    static func accessItem(of call: JSONRPCRequest) -> AccessPolicy.Item? {
        switch call.method {
        case "tools/call": return call.params["name"]?.stringValue.map { .tool($0) }
        case "prompts/get": return call.params["name"]?.stringValue.map { .prompt($0) }
        case "resources/read", "resources/subscribe": return call.params["uri"]?.stringValue.map { .resource($0) }
        case "completion/complete":
            guard case .object(let reference)? = call.params["ref"] else { return nil }
            switch reference["type"]?.stringValue {
            case "ref/prompt": return reference["name"]?.stringValue.map { .prompt($0) }
            // A template is ruled by its text up to the first expression, as in resources/templates/list.
            case "ref/resource": return reference["uri"]?.stringValue.map { .resource(String($0.prefix { $0 != "{" })) }
            default: return nil
            }
        default: return nil
        }
    }
}
