/// Who made a request, as established by authentication (bearer token, API key or client
/// certificate). `nil` wherever authentication is off.
///
/// Sessions, sealed `requestState` and tasks remember the `id` of the principal that created
/// them, so another principal presenting the same identifier is told it does not exist
/// (spec 2025-11-25 `basic/security_best_practices` §Session Hijacking; 16.16 in our notes).
public struct Principal: Sendable, Hashable {
    /// Stable identity: `<issuer>#<sub>` for OAuth tokens, `key:<name>` for API keys,
    /// `cert:<subject>` for client certificates.
    public let id: String
    /// Scopes the credential grants; compared exactly, with no hierarchy.
    public let scopes: Set<String>

    public init(id: String, scopes: Set<String>) {
        self.id = id
        self.scopes = scopes
    }
}
