import Crypto
import CryptoExtras
import Foundation

/// A signing key made in the test, with its public JWK and a JWS signing function.
struct TestKey: Sendable {
    let kid: String?
    let alg: String
    /// The public JWK members (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2).
    let jwk: [String: String]
    let sign: @Sendable (_ signingInput: [UInt8]) throws -> [UInt8]

    // Generated once: RSA key generation is slow on a small machine.
    static let rsaPrivate = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let otherRSAPrivate = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

    static func rsa(kid: String? = "rsa-1", alg: String = "RS256", key: _RSA.Signing.PrivateKey = rsaPrivate, jwkAlg: String? = nil) -> TestKey {
        let primitives = try! key.publicKey.getKeyPrimitives()
        var jwk = ["kty": "RSA", "n": b64url(primitives.modulus), "e": b64url(primitives.publicExponent), "use": "sig"]
        if let jwkAlg { jwk["alg"] = jwkAlg }
        if let kid { jwk["kid"] = kid }
        return TestKey(kid: kid, alg: alg, jwk: jwk) { input in
            switch alg {
            case "PS256": Array(try key.signature(for: SHA256.hash(data: input), padding: .PSS).rawRepresentation)
            default: Array(try key.signature(for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5).rawRepresentation)
            }
        }
    }

    static func p256(kid: String? = "ec-1") -> TestKey {
        let key = P256.Signing.PrivateKey()
        let raw = key.publicKey.rawRepresentation
        var jwk = ["kty": "EC", "crv": "P-256", "x": b64url(raw.prefix(32)), "y": b64url(raw.suffix(32)), "alg": "ES256"]
        if let kid { jwk["kid"] = kid }
        return TestKey(kid: kid, alg: "ES256", jwk: jwk) { input in
            Array(try key.signature(for: input).rawRepresentation)
        }
    }

    static func ed25519(kid: String? = "ed-1") -> TestKey {
        let key = Curve25519.Signing.PrivateKey()
        var jwk = ["kty": "OKP", "crv": "Ed25519", "x": b64url(key.publicKey.rawRepresentation)]
        if let kid { jwk["kid"] = kid }
        return TestKey(kid: kid, alg: "EdDSA", jwk: jwk) { input in
            Array(try key.signature(for: input))
        }
    }

    static func jwks(_ keys: [TestKey]) -> String {
        let data = try! JSONSerialization.data(withJSONObject: ["keys": keys.map(\.jwk)], options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    static func b64url(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// Builds compact JWS tokens by hand, so tests can produce exactly the broken ones they need.
enum Mint {
    static func json(_ object: [String: any Sendable]) -> [UInt8] {
        Array(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    /// Signs with `key`; `header` entries override the defaults (`alg`, `kid`, `typ`).
    static func token(_ claims: [String: any Sendable], key: TestKey, header: [String: any Sendable] = [:]) -> String {
        var fullHeader: [String: any Sendable] = ["alg": key.alg, "typ": "at+jwt"]
        if let kid = key.kid { fullHeader["kid"] = kid }
        fullHeader.merge(header) { _, new in new }
        let input = TestKey.b64url(json(fullHeader)) + "." + TestKey.b64url(json(claims))
        return input + "." + TestKey.b64url(try! key.sign(Array(input.utf8)))
    }

    /// A token with any header and signature bytes.
    static func raw(header: [String: any Sendable], claims: [String: any Sendable], signature: (_ input: [UInt8]) -> [UInt8]) -> String {
        let input = TestKey.b64url(json(header)) + "." + TestKey.b64url(json(claims))
        return input + "." + TestKey.b64url(signature(Array(input.utf8)))
    }
}
