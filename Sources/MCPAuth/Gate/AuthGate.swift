public import HTTPTypes
public import Logging
public import MCPCore
public import MCPHTTP
public import NIOCore

/// Portico's ``RequestGate``: who is calling, from a bearer token, an API key, a client
/// certificate the edge verified, or the edge's own verdict; and the exact refusal otherwise.
///
/// Refusals follow RFC 6750 §3.1 as MCP uses it (2025-11-25 `basic/authorization` §Error
/// Handling): no credential → 401 with a challenge naming the metadata and scopes; a bad
/// token → 401 `invalid_token`; a malformed request (two headers, a token in the query) →
/// 400 `invalid_request`; missing scopes → 403 `insufficient_scope`; an issuer that cannot be
/// reached → 503, since the token may well be good.
public struct AuthGate: RequestGate {
    /// Request headers the edge sets; from anyone but a trusted proxy they are ignored.
    public enum EdgeHeader {
        public static let principal = HTTPField.Name("X-Portico-Principal")!
        public static let scopes = HTTPField.Name("X-Portico-Scopes")!
        public static let clientVerify = HTTPField.Name("X-Portico-Client-Verify")!
        public static let clientSubject = HTTPField.Name("X-Portico-Client-Subject")!
    }

    let verifier: BearerTokenVerifier
    /// The protected-resource metadata, when an issuer is configured (API keys alone need none).
    public let metadata: ProtectedResourceMetadata?
    let requiredScopes: [String]
    /// The `scope` of a 401: what to ask the authorization server for.
    let challengeScopes: [String]
    let trustedProxies: TrustedProxies
    /// Certificate subject → scopes.
    let certificatePrincipals: [String: Set<String>]
    /// Whether the edge's `X-Portico-Principal` is taken instead of verifying again.
    let trustsEdge: Bool
    /// Refusals by reason; `nil` when metrics are off.
    let failures: AuthFailureMetrics?
    let logger: Logger

    public init(
        verifier: BearerTokenVerifier, metadata: ProtectedResourceMetadata?, requiredScopes: [String], challengeScopes: [String],
        trustedProxies: TrustedProxies, certificatePrincipals: [String: Set<String>], trustsEdge: Bool,
        failures: AuthFailureMetrics? = nil, logger: Logger
    ) {
        self.failures = failures
        self.verifier = verifier
        self.metadata = metadata
        self.requiredScopes = requiredScopes
        self.challengeScopes = challengeScopes
        self.trustedProxies = trustedProxies
        self.certificatePrincipals = certificatePrincipals
        self.trustsEdge = trustsEdge
        self.logger = logger
    }

    public func admit(_ head: HTTPRequest, peer: SocketAddress?) async -> GateDecision {
        await evaluate(head, peer: peer).decision
    }

    /// The verdict, with the verified token's expiry (seconds since 1970) when a token decided it.
    func evaluate(_ head: HTTPRequest, peer: SocketAddress?) async -> (decision: GateDecision, expiresAt: Double?) {
        // Only the paths that read identity headers look at the peer: formatting its address costs.
        if trustsEdge, let principal = edgePrincipal(head.headerFields), trustedProxies.contains(peer) {
            return (requireBaseScopes(principal), nil)
        }
        if AuthorizationHeader.queryCarriesToken(head.path) {
            failures?.count(AuthFailureMetrics.invalidRequest)
            return (.refuse(refusal(.badRequest, .invalidRequest, "access tokens are accepted only in the Authorization header, never in the URL")), nil)
        }
        switch AuthorizationHeader(values: head.headerFields[values: .authorization]) {
        case .absent, .otherScheme:
            if let principal = certificatePrincipal(head.headerFields), trustedProxies.contains(peer) { return (requireBaseScopes(principal), nil) }
            failures?.count(AuthFailureMetrics.missingCredential)
            return (.refuse(refusal(.unauthorized, nil, nil)), nil)
        case .malformed(let problem):
            failures?.count(AuthFailureMetrics.invalidRequest)
            return (.refuse(refusal(.badRequest, .invalidRequest, problem)), nil)
        case .oversized:
            failures?.count(TokenRejection.Reason.tooLarge.rawValue)
            return (.refuse(refusal(.unauthorized, .invalidToken, "the token is larger than \(AuthorizationHeader.maximumTokenBytes) bytes")), nil)
        case .bearer(let token):
            do {
                let verified = try await verifier.verify(token)
                return (requireBaseScopes(verified.principal), verified.expiresAt)
            } catch {
                logger.info("token refused", metadata: ["auth.reason": "\(error.reason.rawValue)", "auth.detail": "\(error.detail)"])
                failures?.count(error.reason.rawValue)
                if error.reason == .unavailable {
                    var refused = refusal(.serviceUnavailable, nil, nil)
                    refused.headers = [.retryAfter: "5"]
                    refused.error = MCPError(code: .internalError, message: "Service Unavailable: \(error.detail)")
                    return (.refuse(refused), nil)
                }
                return (.refuse(refusal(.unauthorized, .invalidToken, error.detail)), nil)
            }
        }
    }

    public func insufficientScope(for item: AccessPolicy.Item, required: [String]) -> GateRefusal {
        let what: String
        switch item {
        case .tool(let name): what = "tool '\(name)'"
        case .prompt(let name): what = "prompt '\(name)'"
        case .resource(let uri): what = "resource '\(uri)'"
        }
        failures?.count(AuthFailureMetrics.insufficientScope)
        return refusal(.forbidden, .insufficientScope, "\(what) needs scope \(required.joined(separator: " "))", scopes: required)
    }

    /// 403 unless the principal holds every scope all requests need.
    func requireBaseScopes(_ principal: Principal) -> GateDecision {
        guard !requiredScopes.allSatisfy(principal.scopes.contains) else { return .admit(principal) }
        failures?.count(AuthFailureMetrics.insufficientScope)
        return .refuse(refusal(.forbidden, .insufficientScope, "this server needs scope \(requiredScopes.joined(separator: " "))", scopes: requiredScopes))
    }

    /// The edge's verdict (`auth_request` answered for this Authorization header).
    func edgePrincipal(_ headers: HTTPFields) -> Principal? {
        // The edge endpoint percent-encodes the id (see AuthRoutes.headerSafe): decoded, it is the
        // same id the app would have found itself.
        guard let encoded = headers[EdgeHeader.principal], !encoded.isEmpty else { return nil }
        let id = PercentDecoding.decode(encoded)
        let scopes = headers[EdgeHeader.scopes].map { Set($0.split(separator: " ").map(String.init)) } ?? []
        return Principal(id: id, scopes: scopes)
    }

    /// A configured certificate subject that nginx verified (`$ssl_client_verify` = SUCCESS).
    func certificatePrincipal(_ headers: HTTPFields) -> Principal? {
        guard headers[EdgeHeader.clientVerify] == "SUCCESS", let subject = headers[EdgeHeader.clientSubject],
              let scopes = certificatePrincipals[subject]
        else { return nil }
        return Principal(id: "cert:\(subject)", scopes: scopes)
    }

    func refusal(
        _ status: HTTPResponse.Status, _ code: BearerChallenge.ErrorCode?, _ description: String?, scopes: [String]? = nil
    ) -> GateRefusal {
        let challenge = BearerChallenge(
            error: code, description: description, resourceMetadata: metadata?.url, scopes: scopes ?? challengeScopes)
        let reason = description.map { ": \($0)" } ?? ": send Authorization: Bearer <token>"
        let message = status == .forbidden ? "Forbidden\(reason)" : status == .badRequest ? "Bad Request\(reason)" : "Unauthorized\(reason)"
        return GateRefusal(
            status: status, headers: [.wwwAuthenticate: challenge.headerValue],
            error: MCPError(code: .invalidRequest, message: message))
    }
}
