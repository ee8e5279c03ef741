import MCPAuth
import MCPCore
import Testing

@Suite struct APIKeyTests {
    @Test func hashFormatIsSaltThenSHA256OfSaltAndKey() {
        let hash = APIKeyEntry.makeHash(of: "pk_test", salt: Array(0..<16))
        #expect(hash == "sha256:000102030405060708090a0b0c0d0e0f:57782298a37e854d0e5797aafc27bddb2230d390f3f3f171b7387bf6ac6f5d93")
        #expect(APIKeyEntry.validate(hash: hash) == nil)
        // A fresh random salt each time.
        #expect(APIKeyEntry.makeHash(of: "pk_test") != APIKeyEntry.makeHash(of: "pk_test"))
    }

    @Test func newKeysArePrefixedUnpaddedBase64URL() {
        let key = APIKeyEntry.newKey()
        #expect(key.hasPrefix("pk_"))
        #expect(key.count == 3 + 43)
        #expect(key.dropFirst(3).allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(APIKeyEntry.newKey() != key)
    }

    @Test(arguments: [
        ("sha256:000102030405060708090a0b0c0d0e0f", "parts"),
        ("md5:000102030405060708090a0b0c0d0e0f:57782298a37e854d0e5797aafc27bddb2230d390f3f3f171b7387bf6ac6f5d93", "sha256:"),
        ("sha256:0001020304050607:57782298a37e854d0e5797aafc27bddb2230d390f3f3f171b7387bf6ac6f5d93", "salt"),
        ("sha256:000102030405060708090a0b0c0d0e0g:57782298a37e854d0e5797aafc27bddb2230d390f3f3f171b7387bf6ac6f5d93", "salt"),
        ("sha256:000102030405060708090a0b0c0d0e0f:57782298", "digest"),
        ("", "parts"),
    ])
    func malformedHashesAreReported(hash: String, mentions: String) {
        let problem = APIKeyEntry.validate(hash: hash)
        #expect(problem?.contains(mentions) == true, "\(problem ?? "nil")")
    }

    @Test func keysAreMatched() async throws {
        let key = APIKeyEntry.newKey()
        var options = FixtureOptions()
        options.apiKeys = [
            APIKeyEntry(name: "other", hash: APIKeyEntry.makeHash(of: APIKeyEntry.newKey()), scopes: []),
            APIKeyEntry(name: "broken", hash: "sha256:nope", scopes: ["admin"]),
            APIKeyEntry(name: "ci", hash: APIKeyEntry.makeHash(of: key), scopes: ["tools:call"]),
        ]
        try await withFixture(options) { fixture throws in
            let verified = try await fixture.verifier.verify(key)
            #expect(verified.principal == Principal(id: "key:ci", scopes: ["tools:call"]))
            #expect(verified.expiresAt == nil)
            #expect(await fixture.rejection(APIKeyEntry.newKey())?.reason == .unknownAPIKey)
            #expect(await fixture.rejection(String(key.dropLast()))?.reason == .unknownAPIKey)
            #expect(await fixture.rejection("sha256:nope")?.reason == .malformed)
            #expect(fixture.server.totalRequests == 0)
        }
    }

    @Test func unknownPrefixedKeysAreNeverIntrospected() async throws {
        var options = IntrospectionTests.options
        options.apiKeys = [APIKeyEntry(name: "ci", hash: APIKeyEntry.makeHash(of: "pk_real"), scopes: [])]
        try await withFixture(options) { fixture throws in
            #expect(await fixture.rejection("pk_mistyped")?.reason == .unknownAPIKey)
            #expect(fixture.server.requests(to: "/introspect") == 0)
        }
    }
}
