import Crypto
import MCPAuth
import MCPCore
import Testing

@Suite struct CacheTests {
    @Test func aCachedJWTIsNotVerifiedAgain() async throws {
        var options = FixtureOptions()
        options.cacheTTL = 7200
        try await withFixture(options) { fixture throws in
            let token = Mint.token(fixture.claims(["exp": Int(fixture.clock.now) + 7200]), key: Keys.rsa)
            _ = try await fixture.verifier.verify(token)
            #expect(fixture.server.totalRequests == 1)
            // Past the keys' maximum age with the key withdrawn: verifying again would
            // re-fetch the set and fail. A cache hit does neither.
            fixture.clock.advance(by: 3601)
            fixture.server.serveJWKS([])
            #expect(try await fixture.verifier.verify(token).principal.id == "\(fixture.issuer)#alice")
            #expect(fixture.server.totalRequests == 1)
        }
    }

    @Test func aCachedIntrospectionIsNotRepeated() async throws {
        try await withFixture(IntrospectionTests.options) { fixture throws in
            fixture.server.expectClient(id: "portico rs:1", secret: "s3cr%t+/=:\u{E9}")
            fixture.server.introspection(for: "opaque", answer: #"{"active":true,"sub":"alice","aud":"\#(audience)","exp":\#(Int(fixture.clock.now) + 100)}"#)
            _ = try await fixture.verifier.verify("opaque")
            fixture.clock.advance(by: 50)
            _ = try await fixture.verifier.verify("opaque")
            #expect(fixture.server.requests(to: "/introspect") == 1)
            // The entry ends with the token's exp (before the 300 s TTL): asked again.
            fixture.clock.advance(by: 51)
            _ = await fixture.outcome("opaque")
            #expect(fixture.server.requests(to: "/introspect") == 2)
        }
    }

    @Test func aCachedJWTExpiresWithTheToken() async throws {
        var options = FixtureOptions()
        options.leeway = 0
        try await withFixture(options) { fixture throws in
            let token = Mint.token(fixture.claims(["exp": Int(fixture.clock.now) + 100]), key: Keys.ec)
            _ = try await fixture.verifier.verify(token)
            fixture.clock.advance(by: 99)
            #expect(await fixture.rejection(token) == nil)
            fixture.clock.advance(by: 1)
            #expect(await fixture.rejection(token)?.reason == .expired)
        }
    }

    @Test func theTTLBoundsEntriesOfLongLivedTokens() async throws {
        let apiKey = APIKeyEntry.newKey()
        let cache = VerifiedTokenCache(capacity: 10)
        let key = VerifiedTokenCache.key(for: apiKey)
        let verified = VerifiedToken(principal: Principal(id: "key:a", scopes: []), expiresAt: nil)
        cache.insert(verified, for: key, until: 300, now: 0)
        #expect(cache.lookup(key, now: 299)?.principal.id == "key:a")
        #expect(cache.lookup(key, now: 300) == nil)
    }

    @Test func aFullCacheEvictsExpiredEntriesFirstThenTheOldest() {
        let cache = VerifiedTokenCache(capacity: 3)
        func entry(_ name: String) -> (SHA256Digest, VerifiedToken) {
            (VerifiedTokenCache.key(for: name), VerifiedToken(principal: Principal(id: name, scopes: []), expiresAt: nil))
        }
        let (a, tokenA) = entry("a")
        let (b, tokenB) = entry("b")
        let (c, tokenC) = entry("c")
        let (d, tokenD) = entry("d")
        let (e, tokenE) = entry("e")
        cache.insert(tokenA, for: a, until: 1000, now: 0)
        cache.insert(tokenB, for: b, until: 10, now: 0)
        cache.insert(tokenC, for: c, until: 1000, now: 0)
        // b has expired: it goes, not the older a.
        cache.insert(tokenD, for: d, until: 1000, now: 20)
        #expect(cache.lookup(a, now: 20) != nil)
        #expect(cache.lookup(b, now: 20) == nil)
        // Nothing expired: the oldest inserted (a) goes.
        cache.insert(tokenE, for: e, until: 1000, now: 30)
        #expect(cache.lookup(a, now: 30) == nil)
        #expect(cache.lookup(c, now: 30) != nil)
        #expect(cache.lookup(d, now: 30) != nil)
        #expect(cache.lookup(e, now: 30) != nil)
    }

    @Test func theCacheStaysBounded() {
        let cache = VerifiedTokenCache(capacity: 100)
        for index in 0..<1000 {
            let token = VerifiedToken(principal: Principal(id: "\(index)", scopes: []), expiresAt: nil)
            cache.insert(token, for: VerifiedTokenCache.key(for: "\(index)"), until: 1e9, now: 0)
        }
        #expect(cache.count == 100)
        #expect(cache.lookup(VerifiedTokenCache.key(for: "999"), now: 0) != nil)
        #expect(cache.lookup(VerifiedTokenCache.key(for: "899"), now: 0) == nil)
    }
}
