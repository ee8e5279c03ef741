import Foundation
import JWTKit
import MCPCore

/// Verifies JWT access tokens (RFC 9068) signed by a configured issuer.
///
/// The checks run cheapest first and nothing from the token is trusted before its
/// signature is: the unverified `iss` only chooses whose keys to try, and `alg` is
/// checked against that issuer's allow-list before any key is looked up, so `none` and
/// HMAC tokens never reach a key (RFC 8725 §3.1, §3.2).
struct JWTAccessTokenVerifier: Sendable {
    /// Real access tokens are well under 2 KiB; 16 KiB leaves room for many scopes and
    /// stops huge tokens before any decoding.
    static let maximumTokenBytes = 16 * 1024

    /// By issuer identifier, compared exactly (RFC 7519 §4.1.1 is a case-sensitive string).
    let issuers: [String: IssuerKeys]
    /// Clock skew tolerated on `exp` and `nbf` (RFC 7519 §4.1.4, §4.1.5).
    let leeway: Double
    let now: @Sendable () -> Double

    func verify(_ token: String) async throws(TokenRejection) -> VerifiedToken {
        guard token.utf8.count <= Self.maximumTokenBytes else {
            throw TokenRejection(.tooLarge, "the token is longer than \(Self.maximumTokenBytes) bytes")
        }
        // RFC 7515 §7.1: header.payload.signature, each base64url.
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3,
            let headerBytes = Base64URL.decode(segments[0]),
            let payloadBytes = Base64URL.decode(segments[1]),
            let signature = Base64URL.decode(segments[2])
        else {
            throw TokenRejection(.malformed, "the token is not a JWS in compact serialization")
        }
        guard let header = try? JSONDecoder().decode(Header.self, from: headerBytes) else {
            throw TokenRejection(.malformed, "the token header is not a JSON object with alg")
        }
        guard let algorithm = JWTAlgorithmName(rawValue: header.alg) else {
            throw TokenRejection(.algorithmNotAllowed, "the token algorithm is not an accepted asymmetric signature algorithm")
        }
        // RFC 7515 §4.1.11: extensions we do not understand must not be ignored.
        guard header.crit == nil else {
            throw TokenRejection(.malformed, "the token has critical header parameters this server does not support")
        }
        guard let claims = try? JSONDecoder().decode(Claims.self, from: payloadBytes) else {
            throw TokenRejection(.malformed, "the token payload is not a JSON object with the expected claim types")
        }
        guard let issuer = claims.iss else {
            throw TokenRejection(.malformed, "the token has no iss claim")
        }
        guard let keys = issuers[issuer] else {
            throw TokenRejection(.wrongIssuer, "the token issuer is not trusted by this server")
        }
        guard keys.settings.algorithms.contains(algorithm) else {
            throw TokenRejection(.algorithmNotAllowed, "the token algorithm is not accepted for this issuer")
        }

        let verifier = try await keys.verifier(kid: header.kid, algorithm: algorithm)
        let signingInput = token.utf8.prefix(segments[0].utf8.count + 1 + segments[1].utf8.count)
        guard (try? verifier.verify(signature, signs: Array(signingInput))) == true else {
            throw TokenRejection(.badSignature, "the token signature does not verify")
        }

        let now = now()
        guard let expiresAt = claims.exp else {
            throw TokenRejection(.malformed, "the token has no exp claim")
        }
        guard now < expiresAt + leeway else {
            throw TokenRejection(.expired, "the token has expired")
        }
        if let notBefore = claims.nbf, now < notBefore - leeway {
            throw TokenRejection(.notYetValid, "the token is not valid yet")
        }
        // RFC 9068 §4 / RFC 8707: the token must be meant for this resource server.
        guard claims.aud?.values.contains(keys.settings.audience) == true else {
            throw TokenRejection(.wrongAudience, "the token was not issued for this resource")
        }
        guard let subject = claims.sub else {
            throw TokenRejection(.malformed, "the token has no sub claim")
        }
        // RFC 9068 §2.2.3 names `scope`; some servers (Entra ID, Okta) use `scp` instead.
        let scopes = Set([claims.scope, claims.scp].compactMap { $0 }.flatMap(\.values).flatMap(\.scopeSet))
        return VerifiedToken(principal: Principal(id: "\(issuer)#\(subject)", scopes: scopes), expiresAt: expiresAt)
    }

    private struct Header: Decodable {
        let alg: String
        let kid: String?
        let crit: [String]?
    }

    private struct Claims: Decodable {
        let iss: String?
        let sub: String?
        let aud: StringList?
        let exp: Double?
        let nbf: Double?
        /// A space-separated string (RFC 8693 §4.2, RFC 9068 §2.2.3); some servers (Spring) send an array.
        let scope: StringList?
        let scp: StringList?
    }
}
