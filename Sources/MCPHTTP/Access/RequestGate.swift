public import HTTPTypes
public import MCPCore
public import NIOCore

/// Decides who is calling before any MCP processing, and how a refusal looks on the wire.
///
/// The endpoint asks the gate once per HTTP request (POST, GET, DELETE alike: the spec wants
/// the credential on every request, 2025-11-25 `basic/authorization` §Access Token Usage) and
/// asks it again only to word a refusal for missing scopes. `MCPAuth` provides the real one;
/// without a gate every request is anonymous and allowed.
public protocol RequestGate: Sendable {
    /// The principal behind `head`, or the response that refuses it (401, 400, 403, 503).
    func admit(_ head: HTTPRequest, peer: SocketAddress?) async -> GateDecision
    /// The 403 for a principal that lacks scopes `item` needs; `required` is every scope the
    /// item needs, so the client can ask for them all in one go.
    func insufficientScope(for item: AccessPolicy.Item, required: [String]) -> GateRefusal
}

/// The gate's verdict on one request.
public enum GateDecision: Sendable {
    case admit(Principal?)
    case refuse(GateRefusal)
}

/// A refused request: HTTP status, headers such as `WWW-Authenticate`, and the JSON-RPC error
/// carried in the body so clients that only read bodies still learn why.
public struct GateRefusal: Sendable {
    public var status: HTTPResponse.Status
    public var headers: HTTPFields
    public var error: MCPError

    public init(status: HTTPResponse.Status, headers: HTTPFields, error: MCPError) {
        self.status = status
        self.headers = headers
        self.error = error
    }
}
