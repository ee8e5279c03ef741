import Foundation
import JWTKit
import Logging

/// One usable key from an issuer's JWK Set (RFC 7517 §5), already turned into a jwt-kit
/// verifier for each algorithm it may be used with, so verifying a token needs no
/// parsing and no actor hop.
struct SigningKey: Sendable {
    /// `nil` only when the set has exactly this one key (see ``read(jwks:allowed:logger:)``).
    let kid: String?
    let verifiers: [JWTAlgorithmName: any JWTAlgorithm]

    /// Reads a JWK Set and keeps the keys that can verify some allowed algorithm.
    /// Skipped, not fatal, so that one key in a format we do not know (or an encryption
    /// key) does not hide the others:
    /// - keys whose `use` is not `sig` (RFC 7517 §4.2),
    /// - keys whose `kty`/`crv`/`alg` fit none of the allowed algorithms (RFC 8725 §3.1),
    /// - keys jwt-kit cannot read (RSA below 2048 bits included),
    /// - keys without `kid` when the set has more than one key: which one a token means
    ///   would be a guess (RFC 7515 §4.1.4, RFC 7517 §4.5).
    static func read(jwks body: Data, allowed: Set<JWTAlgorithmName>, logger: Logger) async throws(TokenRejection) -> [SigningKey] {
        let entries: [Entry]
        do {
            entries = try JSONDecoder().decode(Document.self, from: body).keys
        } catch {
            logger.warning("The JWKS is not a JSON key set", metadata: ["error": "\(error)"])
            throw TokenRejection(.unavailable, "the key set of the token issuer could not be read")
        }
        var keys: [SigningKey] = []
        for entry in entries {
            if let use = entry.use, use != "sig" { continue }
            guard entry.kid != nil || entries.count == 1 else {
                logger.warning("JWKS key without kid ignored: the set has more than one key")
                continue
            }
            guard let jwk = entry.jwk else {
                logger.debug("JWKS key jwt-kit cannot read ignored", metadata: ["kid": "\(entry.kid ?? "-")"])
                continue
            }
            var verifiers: [JWTAlgorithmName: any JWTAlgorithm] = [:]
            for algorithm in allowed where algorithm.fits(keyType: entry.kty, curve: entry.crv) && (entry.alg == nil || entry.alg == algorithm.rawValue) {
                do {
                    verifiers[algorithm] = try await verifier(for: jwk, algorithm: algorithm)
                } catch {
                    logger.warning("JWKS key unusable", metadata: ["kid": "\(entry.kid ?? "-")", "alg": "\(algorithm.rawValue)", "error": "\(error)"])
                }
            }
            if !verifiers.isEmpty {
                keys.append(SigningKey(kid: entry.kid, verifiers: verifiers))
            }
        }
        return keys
    }

    /// jwt-kit files JWKs by `kid` and builds one signer per JWK, for the JWK's own `alg`
    /// if it has one. So each (key, algorithm) pair gets its own collection, with `alg`
    /// pinned and any private parts dropped: a verifier only ever needs the public key.
    private static func verifier(for jwk: JWK, algorithm: JWTAlgorithmName) async throws -> any JWTAlgorithm {
        var jwk = jwk
        jwk.keyIdentifier = "key"
        jwk.algorithm = JWK.Algorithm(rawValue: algorithm.rawValue)
        jwk.privateExponent = nil
        jwk.prime1 = nil
        jwk.prime2 = nil
        let collection = JWTKeyCollection()
        try await collection.add(jwk: jwk)
        let verifier = try await collection.getKey(for: "key", alg: algorithm.rawValue)
        guard verifier.name == algorithm.rawValue else {
            throw JWTError.invalidJWK(reason: "jwt-kit made a \(verifier.name) verifier for \(algorithm.rawValue)")
        }
        return verifier
    }

    private struct Document: Decodable {
        let keys: [Entry]
    }

    /// A JWK read leniently: the fields we check ourselves, plus jwt-kit's view of the key
    /// (`nil` when it cannot read it).
    private struct Entry: Decodable {
        let kid: String?
        let kty: String?
        let crv: String?
        let alg: String?
        let use: String?
        let jwk: JWK?

        enum CodingKeys: String, CodingKey {
            case kid, kty, crv, alg, use
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            kid = try? container.decodeIfPresent(String.self, forKey: .kid)
            kty = try? container.decodeIfPresent(String.self, forKey: .kty)
            crv = try? container.decodeIfPresent(String.self, forKey: .crv)
            alg = try? container.decodeIfPresent(String.self, forKey: .alg)
            use = try? container.decodeIfPresent(String.self, forKey: .use)
            jwk = try? JWK(from: decoder)
        }
    }
}
