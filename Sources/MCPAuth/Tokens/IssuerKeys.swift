import AsyncHTTPClient
import Foundation
import JWTKit
import Logging
import PorticoConfig
import NIOFoundationCompat
import Synchronization

/// The signing keys of one issuer, fetched on first need and kept.
///
/// Authorization servers rotate keys by publishing the new one in the JWKS before they
/// sign with it (RFC 7517 §5, OIDC Core §10.1.1), so a token naming an unknown `kid` is the
/// signal to re-fetch. Anyone can send such tokens, though, so re-fetching is limited to
/// once per ``minimumRefreshInterval``, and callers that miss at the same time wait for
/// one shared fetch instead of each starting their own. Keys older than ``maximumAge``
/// are re-fetched too, so a revoked key does not stay trusted forever; if that fails the
/// old keys are kept.
final class IssuerKeys: Sendable {
    let settings: IssuerSettings
    let minimumRefreshInterval: Double
    let maximumAge: Double
    private let client: HTTPClient
    private let logger: Logger
    private let now: @Sendable () -> Double
    private let state = Mutex(State())

    private struct State {
        /// `settings.jwksURL`, or the discovered `jwks_uri`.
        var jwksURL: String?
        var keys: [SigningKey] = []
        var fetchedAt: Double?
        var attemptedAt: Double?
        /// When a current key set was last fetched again because it lacked a token's `kid`.
        var unknownKidRefreshAt: Double?
        /// Why the last attempt failed; cleared by a successful one.
        var failure: TokenRejection?
        var refresh: Task<Void, Never>?
    }

    init(
        settings: IssuerSettings,
        minimumRefreshInterval: Double = 30,
        maximumAge: Double = 3600,
        client: HTTPClient,
        logger: Logger,
        now: @escaping @Sendable () -> Double
    ) {
        self.settings = settings
        self.minimumRefreshInterval = minimumRefreshInterval
        self.maximumAge = maximumAge
        self.client = client
        self.logger = logger
        self.now = now
        state.withLock { $0.jwksURL = settings.jwksURL }
    }

    /// The verifier for the key a token names (`kid`, RFC 7515 §4.1.4) with its `alg`.
    func verifier(kid: String?, algorithm: JWTAlgorithmName) async throws(TokenRejection) -> any JWTAlgorithm {
        enum Step {
            case use(SigningKey)
            case fail(TokenRejection)
            case wait(Task<Void, Never>)
        }
        let step = state.withLock { state -> Step in
            let now = now()
            let fresh = state.fetchedAt.map { now - $0 < maximumAge } ?? false
            if fresh, let key = Self.find(kid, in: state.keys) { return .use(key) }
            if let refresh = state.refresh { return .wait(refresh) }
            // Two things are rate-limited: fetching a current set again for an unknown `kid`
            // (made-up kids must not become a fetch per request), and retrying after a failure.
            // The first fetch and the hourly one are not, so a key published just after start
            // is found at once.
            let limitedSince = fresh ? state.unknownKidRefreshAt : (state.failure != nil ? state.attemptedAt : nil)
            if let since = limitedSince, now - since < minimumRefreshInterval {
                if let key = Self.find(kid, in: state.keys) { return .use(key) }
                return .fail(state.failure ?? Self.unknownKey)
            }
            let refresh = Task { await self.refresh() }
            state.refresh = refresh
            state.attemptedAt = now
            if fresh { state.unknownKidRefreshAt = now }
            return .wait(refresh)
        }
        let key: SigningKey
        switch step {
        case .use(let found):
            key = found
        case .fail(let rejection):
            throw rejection
        case .wait(let refresh):
            await refresh.value
            let (found, failure) = state.withLock { (Self.find(kid, in: $0.keys), $0.failure) }
            guard let found else { throw failure ?? Self.unknownKey }
            key = found
        }
        guard let verifier = key.verifiers[algorithm] else {
            // A token without `kid` only ever gets the lone key by default; it names none.
            guard kid != nil else { throw Self.unknownKey }
            throw TokenRejection(.algorithmNotAllowed, "the token algorithm does not fit the key it names")
        }
        return verifier
    }

    private static let unknownKey = TokenRejection(.unknownKey, "the token names a key the issuer does not publish")

    /// A set of one key without `kid` is the key for every token; otherwise `kid` must
    /// match, and a token without `kid` is only accepted when there is one key to choose.
    private static func find(_ kid: String?, in keys: [SigningKey]) -> SigningKey? {
        if keys.count == 1, keys[0].kid == nil || kid == nil { return keys[0] }
        guard let kid else { return nil }
        return keys.first { $0.kid == kid }
    }

    private func refresh() async {
        let result: Result<[SigningKey], TokenRejection>
        do throws(TokenRejection) {
            result = .success(try await fetchKeys())
        } catch {
            result = .failure(error)
        }
        let fetchedAt = now()
        state.withLock { state in
            state.refresh = nil
            switch result {
            case .success(let keys):
                state.keys = keys
                state.fetchedAt = fetchedAt
                state.failure = nil
            case .failure(let rejection):
                state.failure = rejection
            }
        }
        if case .success(let keys) = result {
            logger.debug("Fetched JWKS", metadata: ["issuer": "\(settings.issuer)", "keys": "\(keys.count)"])
        }
    }

    private func fetchKeys() async throws(TokenRejection) -> [SigningKey] {
        let url: String
        if let known = state.withLock({ $0.jwksURL }) {
            url = known
        } else {
            let metadata = try await AuthorizationServerMetadata.discover(issuer: settings.issuer, client: client, logger: logger)
            guard let jwksURI = metadata.jwksURI else {
                logger.error("Authorization server metadata has no jwks_uri", metadata: ["issuer": "\(settings.issuer)"])
                throw TokenRejection(.unavailable, "the authorization server metadata names no key set")
            }
            // Keys over plain http could be swapped in transit: only https (or loopback, for tests).
            guard PorticoConfiguration.Auth.Issuer.endpointProblem(jwksURI) == nil else {
                logger.error("Authorization server metadata names a jwks_uri that is not https; not used", metadata: ["jwks_uri": "\(jwksURI)"])
                throw TokenRejection(.unavailable, "the authorization server metadata names a key set that is not served over https")
            }
            url = jwksURI
            state.withLock { $0.jwksURL = jwksURI }
        }
        let reply = try await HTTPFetch.get(url, with: client, logger: logger, what: "key set of the token issuer")
        guard reply.status == 200 else {
            logger.warning("JWKS fetch failed", metadata: ["url": "\(url)", "status": "\(reply.status)"])
            throw TokenRejection(.unavailable, "the key set of the token issuer could not be fetched")
        }
        return try await SigningKey.read(jwks: Data(buffer: reply.body), allowed: settings.algorithms, logger: logger)
    }
}
