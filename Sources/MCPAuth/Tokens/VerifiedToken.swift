public import MCPCore

/// The outcome of a successful verification: who is calling and until when the
/// credential is good (RFC 7519 §4.1.4 `exp`, or RFC 7662 §2.2 `exp`).
public struct VerifiedToken: Sendable {
    public let principal: Principal
    /// Seconds since 1970; `nil` for credentials that do not expire (API keys,
    /// introspection answers without `exp`).
    public let expiresAt: Double?

    public init(principal: Principal, expiresAt: Double?) {
        self.principal = principal
        self.expiresAt = expiresAt
    }
}
