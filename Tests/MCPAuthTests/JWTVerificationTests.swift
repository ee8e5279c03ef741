import Crypto
import CryptoExtras
import Foundation
import MCPAuth
import MCPCore
import Testing

struct JWTCase: Sendable, CustomTestStringConvertible {
    let name: String
    /// `nil`: the token is accepted.
    let expected: TokenRejection.Reason?
    let token: @Sendable (Fixture) -> String
    var testDescription: String { name }
}

let jwtCases: [JWTCase] = [
    JWTCase(name: "valid RS256", expected: nil) { Mint.token($0.claims(), key: Keys.rsa) },
    JWTCase(name: "valid PS256 (RSA key without alg)", expected: nil) { Mint.token($0.claims(), key: TestKey.rsa(alg: "PS256")) },
    JWTCase(name: "valid ES256", expected: nil) { Mint.token($0.claims(), key: Keys.ec) },
    JWTCase(name: "valid EdDSA", expected: nil) { Mint.token($0.claims(), key: Keys.ed) },
    JWTCase(name: "expired", expected: .expired) { Mint.token($0.claims(["exp": Int($0.clock.now) - 120]), key: Keys.rsa) },
    JWTCase(name: "expired but within leeway", expected: nil) { Mint.token($0.claims(["exp": Int($0.clock.now) - 30]), key: Keys.rsa) },
    JWTCase(name: "not yet valid", expected: .notYetValid) { Mint.token($0.claims(["nbf": Int($0.clock.now) + 300]), key: Keys.rsa) },
    JWTCase(name: "nbf within leeway", expected: nil) { Mint.token($0.claims(["nbf": Int($0.clock.now) + 30]), key: Keys.rsa) },
    JWTCase(name: "wrong audience", expected: .wrongAudience) { Mint.token($0.claims(["aud": "https://other.example.com"]), key: Keys.rsa) },
    JWTCase(name: "audience array containing ours", expected: nil) {
        Mint.token($0.claims(["aud": ["https://other.example.com", audience]]), key: Keys.rsa)
    },
    JWTCase(name: "no audience", expected: .wrongAudience) { Mint.token($0.claims(["aud": nil]), key: Keys.rsa) },
    JWTCase(name: "wrong issuer", expected: .wrongIssuer) { Mint.token($0.claims(["iss": "https://evil.example.com"]), key: Keys.rsa) },
    JWTCase(name: "issuer with an extra trailing slash", expected: .wrongIssuer) { Mint.token($0.claims(["iss": $0.issuer + "/"]), key: Keys.rsa) },
    JWTCase(name: "payload altered after signing", expected: .badSignature) { fixture in
        let parts = Mint.token(fixture.claims(), key: Keys.rsa).split(separator: ".")
        let altered = TestKey.b64url(Mint.json(fixture.claims(["sub": "mallory"])))
        return "\(parts[0]).\(altered).\(parts[2])"
    },
    JWTCase(name: "signed by another key under the same kid", expected: .badSignature) {
        Mint.token($0.claims(), key: TestKey.rsa(key: TestKey.otherRSAPrivate))
    },
    JWTCase(name: "alg none", expected: .algorithmNotAllowed) { fixture in
        Mint.raw(header: ["alg": "none", "kid": "rsa-1"], claims: fixture.claims()) { _ in [] }
    },
    JWTCase(name: "HS256 keyed with the RSA public key DER", expected: .algorithmNotAllowed) { fixture in
        let secret = SymmetricKey(data: TestKey.rsaPrivate.publicKey.derRepresentation)
        return Mint.raw(header: ["alg": "HS256", "kid": "rsa-1"], claims: fixture.claims()) {
            Array(HMAC<SHA256>.authenticationCode(for: $0, using: secret))
        }
    },
    JWTCase(name: "HS256 keyed with the RSA public key PEM", expected: .algorithmNotAllowed) { fixture in
        let secret = SymmetricKey(data: Array(TestKey.rsaPrivate.publicKey.pemRepresentation.utf8))
        return Mint.raw(header: ["alg": "HS256", "kid": "rsa-1"], claims: fixture.claims()) {
            Array(HMAC<SHA256>.authenticationCode(for: $0, using: secret))
        }
    },
    JWTCase(name: "ES384 not in the issuer's allow-list", expected: .algorithmNotAllowed) { fixture in
        Mint.raw(header: ["alg": "ES384", "kid": "ec-1"], claims: fixture.claims()) { _ in Array(repeating: 1, count: 96) }
    },
    JWTCase(name: "ES256 token naming the RSA key", expected: .algorithmNotAllowed) {
        Mint.token($0.claims(), key: Keys.ec, header: ["kid": "rsa-1"])
    },
    JWTCase(name: "kid the issuer does not publish", expected: .unknownKey) { Mint.token($0.claims(), key: TestKey.rsa(kid: "rotated-away")) },
    JWTCase(name: "no kid while the set has several keys", expected: .unknownKey) { Mint.token($0.claims(), key: TestKey.rsa(kid: nil)) },
    JWTCase(name: "no sub", expected: .malformed) { Mint.token($0.claims(["sub": nil]), key: Keys.rsa) },
    JWTCase(name: "no exp", expected: .malformed) { Mint.token($0.claims(["exp": nil]), key: Keys.rsa) },
    JWTCase(name: "exp as a string", expected: .malformed) { Mint.token($0.claims(["exp": "tomorrow"]), key: Keys.rsa) },
    JWTCase(name: "no iss", expected: .malformed) { Mint.token($0.claims(["iss": nil]), key: Keys.rsa) },
    JWTCase(name: "critical header extension", expected: .malformed) { Mint.token($0.claims(), key: Keys.rsa, header: ["crit": ["b64"], "b64": false]) },
    JWTCase(name: "1 MB token", expected: .tooLarge) { Mint.token($0.claims(["padding": String(repeating: "x", count: 1_000_000)]), key: Keys.rsa) },
    JWTCase(name: "garbage", expected: .malformed) { _ in "garbage!" },
    JWTCase(name: "empty", expected: .malformed) { _ in "" },
    JWTCase(name: "two dots, not base64url", expected: .malformed) { _ in "a+b.c/d.e=" },
    JWTCase(name: "header not JSON", expected: .malformed) { _ in
        TestKey.b64url(Array("hello".utf8)) + "." + TestKey.b64url(Array("{}".utf8)) + ".c2ln"
    },
    JWTCase(name: "header without alg", expected: .malformed) { fixture in
        Mint.raw(header: ["kid": "rsa-1"], claims: fixture.claims()) { _ in [1, 2, 3] }
    },
]

@Suite struct JWTVerificationTests {
    @Test(arguments: jwtCases)
    func verification(_ testCase: JWTCase) async throws {
        try await withFixture { fixture throws in
            let token = testCase.token(fixture)
            switch await fixture.outcome(token) {
            case .success(let verified):
                #expect(testCase.expected == nil, "accepted, expected \(testCase.expected?.rawValue ?? "")")
                #expect(verified.principal.id == "\(fixture.issuer)#alice")
                #expect(verified.principal.scopes == ["tools:read", "tools:call"])
                #expect(verified.expiresAt != nil)
            case .failure(let rejection):
                #expect(rejection.reason == testCase.expected, "\(rejection)")
                // error_description must be safe in a header and must not echo the token.
                #expect(rejection.detail.utf8.allSatisfy { (0x20...0x7E).contains($0) && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
                for segment in token.split(separator: ".") where segment.count >= 6 {
                    #expect(!rejection.detail.contains(segment))
                }
            }
        }
    }

    @Test func scopesComeFromScopeAndScp() async throws {
        try await withFixture { fixture throws in
            let string = Mint.token(fixture.claims(["scope": nil, "scp": "a b"]), key: Keys.ec)
            #expect(try await fixture.verifier.verify(string).principal.scopes == ["a", "b"])
            let array = Mint.token(fixture.claims(["scope": "c", "scp": ["a", "b"]]), key: Keys.ed)
            #expect(try await fixture.verifier.verify(array).principal.scopes == ["a", "b", "c"])
        }
    }

    @Test func aSingleKeyWithoutKidVerifiesTokensWithoutKid() async throws {
        var options = FixtureOptions()
        options.keys = [TestKey.ed25519(kid: nil)]
        try await withFixture(options) { fixture throws in
            let token = Mint.token(fixture.claims(), key: options.keys[0])
            #expect(try await fixture.verifier.verify(token).principal.id == "\(fixture.issuer)#alice")
        }
    }

    @Test func aKeyWithoutKidAmongSeveralIsIgnored() async throws {
        var options = FixtureOptions()
        let anonymous = TestKey.ed25519(kid: nil)
        options.keys = [anonymous, Keys.rsa]
        try await withFixture(options) { fixture throws in
            #expect(await fixture.rejection(Mint.token(fixture.claims(), key: anonymous))?.reason == .unknownKey)
            #expect(await fixture.rejection(Mint.token(fixture.claims(), key: Keys.rsa)) == nil)
        }
    }

    @Test func encryptionKeysAreNotUsedForSignatures() async throws {
        var options = FixtureOptions()
        var encryption = TestKey.rsa(kid: "enc-1")
        encryption = TestKey(kid: "enc-1", alg: "RS256", jwk: encryption.jwk.merging(["use": "enc"]) { $1 }, sign: encryption.sign)
        options.keys = [encryption, Keys.ec]
        try await withFixture(options) { fixture throws in
            #expect(await fixture.rejection(Mint.token(fixture.claims(), key: encryption))?.reason == .unknownKey)
        }
    }

    @Test func rejectionDetailIsMadeHeaderSafe() {
        let rejection = TokenRejection(.malformed, "say \"hi\" \\ caf\u{E9}\n")
        #expect(rejection.detail == "say ?hi? ? caf???")
    }
}
