public import AsyncHTTPClient
import Foundation
public import Logging
import MCPCore

/// Turns the credential of `Authorization: Bearer <token>` (RFC 6750 §2.1) into a
/// ``VerifiedToken``, or says why not. This is the only entry point the HTTP layer uses.
///
/// What a token is decides how it is checked:
/// 1. a JWS (two dots) is verified locally as a JWT access token (RFC 9068);
/// 2. otherwise it is compared with the configured API keys;
/// 3. otherwise, if an issuer has an introspection endpoint, the first such issuer in
///    configuration order is asked (RFC 7662). Only one: sending a token to every
///    server we know would show it to servers that did not issue it. A token starting
///    with `pk_` is never sent: it is a mistyped API key, and a secret.
///
/// Successes are cached for ``cacheTTL`` seconds at most, and never past the token's `exp`.
public final class BearerTokenVerifier: Sendable {
    public let cacheTTL: Double
    private let jwt: JWTAccessTokenVerifier
    private let apiKeys: APIKeySet
    private let introspection: IntrospectionVerifier?
    private let cache: VerifiedTokenCache
    private let rejections: RejectionCache
    private let now: @Sendable () -> Double

    /// - Parameters:
    ///   - issuers: Trusted authorization servers; a later entry with the same `issuer` is ignored.
    ///   - apiKeys: Entries with a malformed `hash` never match (check them first with ``APIKeyEntry/validate(hash:)``).
    ///   - leeway: Clock skew accepted on `exp` and `nbf`, in seconds.
    ///   - cacheTTL: How long a verified token is remembered at most, in seconds.
    ///   - cacheCapacity: How many verified tokens are remembered at most.
    ///   - minimumKeyRefreshInterval: An issuer's JWKS is re-fetched for an unknown `kid` at most this often, in seconds.
    ///   - httpClient: Used for metadata, JWKS and introspection; the caller shuts it down.
    ///   - now: Seconds since 1970; injectable for tests.
    public init(
        issuers: [IssuerSettings],
        apiKeys: [APIKeyEntry] = [],
        leeway: Double = 60,
        cacheTTL: Double = 300,
        cacheCapacity: Int = 10_000,
        minimumKeyRefreshInterval: Double = 30,
        httpClient: HTTPClient,
        logger: Logger,
        now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        var keys: [String: IssuerKeys] = [:]
        for settings in issuers where keys[settings.issuer] == nil {
            keys[settings.issuer] = IssuerKeys(
                settings: settings,
                minimumRefreshInterval: minimumKeyRefreshInterval,
                client: httpClient,
                logger: logger,
                now: now
            )
        }
        self.jwt = JWTAccessTokenVerifier(issuers: keys, leeway: leeway, now: now)
        self.apiKeys = APIKeySet(apiKeys, logger: logger)
        self.introspection = issuers.lazy.compactMap { settings in
            settings.introspection.map {
                IntrospectionVerifier(issuer: settings, introspection: $0, client: httpClient, logger: logger, leeway: leeway, now: now)
            }
        }.first
        self.cacheTTL = cacheTTL
        self.cache = VerifiedTokenCache(capacity: cacheCapacity)
        self.rejections = RejectionCache(capacity: cacheCapacity)
        self.now = now
    }

    public func verify(_ token: String) async throws(TokenRejection) -> VerifiedToken {
        // Before hashing: whatever kind it is, a token this big is not one we issued.
        guard token.utf8.count <= JWTAccessTokenVerifier.maximumTokenBytes else {
            throw TokenRejection(.tooLarge, "the token is longer than \(JWTAccessTokenVerifier.maximumTokenBytes) bytes")
        }
        let key = VerifiedTokenCache.key(for: token)
        if let cached = cache.lookup(key, now: now()) {
            return cached
        }
        if let refused = rejections.lookup(key, now: now()) {
            throw refused
        }
        let verified: VerifiedToken
        do {
            verified = try await verifyUncached(token)
        } catch {
            rejections.insert(error, for: key, now: now())
            throw error
        }
        let now = now()
        cache.insert(verified, for: key, until: min(verified.expiresAt ?? .infinity, now + cacheTTL), now: now)
        return verified
    }

    private func verifyUncached(_ token: String) async throws(TokenRejection) -> VerifiedToken {
        if token.utf8.count(where: { $0 == UInt8(ascii: ".") }) == 2 {
            return try await jwt.verify(token)
        }
        if let principal = apiKeys.match(token) {
            return VerifiedToken(principal: principal, expiresAt: nil)
        }
        if token.hasPrefix("pk_") {
            throw TokenRejection(.unknownAPIKey, "the API key is not known to this server")
        }
        if let introspection {
            return try await introspection.verify(token)
        }
        throw TokenRejection(.malformed, "not a JWT, API key or introspectable token")
    }
}
