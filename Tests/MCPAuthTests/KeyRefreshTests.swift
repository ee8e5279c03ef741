import AsyncHTTPClient
import Logging
import MCPAuth
import Testing

@Suite struct KeyRefreshTests {
    @Test func unknownKidRefreshesOnceThenIsRateLimited() async throws {
        try await withFixture { fixture throws in
            let rotated = TestKey.p256(kid: "ec-2")
            #expect(await fixture.rejection(Mint.token(fixture.claims(), key: Keys.rsa)) == nil)
            #expect(fixture.server.requests(to: "/jwks") == 1)

            // Not in the set: one refresh, still unknown.
            fixture.clock.advance(by: 31)
            #expect(await fixture.rejection(Mint.token(fixture.claims(), key: rotated))?.reason == .unknownKey)
            #expect(fixture.server.requests(to: "/jwks") == 2)

            // Another unknown kid right after: no new fetch.
            #expect(await fixture.rejection(Mint.token(fixture.claims(), key: TestKey.p256(kid: "ec-3")))?.reason == .unknownKey)
            #expect(fixture.server.requests(to: "/jwks") == 2)

            // The issuer publishes the key; within the interval it is still not fetched ...
            fixture.server.serveJWKS([Keys.rsa, Keys.ec, Keys.ed, rotated])
            #expect(await fixture.rejection(Mint.token(fixture.claims(), key: rotated))?.reason == .unknownKey)
            #expect(fixture.server.requests(to: "/jwks") == 2)

            // ... and once the interval has passed, the next miss finds it.
            fixture.clock.advance(by: 30)
            #expect(await fixture.rejection(Mint.token(fixture.claims(), key: rotated)) == nil)
            #expect(fixture.server.requests(to: "/jwks") == 3)

            // Known keys need no fetch.
            #expect(await fixture.rejection(Mint.token(fixture.claims(["sub": "bob"]), key: Keys.ed)) == nil)
            #expect(fixture.server.requests(to: "/jwks") == 3)
        }
    }

    /// Cold: the verifier has no keys yet. Warm: it has the set, and the token's key was
    /// published after that.
    @Test(arguments: [false, true])
    func hundredConcurrentMissesShareOneFetch(warm: Bool) async throws {
        try await withFixture { fixture throws in
            let rotated = TestKey.ed25519(kid: "ed-2")
            if warm {
                #expect(await fixture.rejection(Mint.token(fixture.claims(), key: Keys.rsa)) == nil)
                #expect(fixture.server.requests(to: "/jwks") == 1)
                fixture.clock.advance(by: 31)
            }
            fixture.server.serveJWKS([Keys.rsa, rotated])
            let token = Mint.token(fixture.claims(["sub": "carol"]), key: rotated)
            let accepted = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<100 {
                    group.addTask { await fixture.rejection(token) == nil }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(accepted == 100)
            #expect(fixture.server.requests(to: "/jwks") == (warm ? 2 : 1))
        }
    }

    @Test func anOversizedKeySetIsUnavailable() async throws {
        try await withFixture { fixture throws in
            fixture.server.serve("/jwks", json: #"{"keys":[],"padding":""# + String(repeating: "x", count: 2 << 20) + #""}"#)
            #expect(await fixture.rejection(Mint.token(fixture.claims(), key: Keys.rsa))?.reason == .unavailable)
        }
    }

    @Test func keysOlderThanAnHourAreRefetched() async throws {
        try await withFixture { fixture throws in
            #expect(await fixture.rejection(Mint.token(fixture.claims(), key: Keys.rsa)) == nil)
            fixture.clock.advance(by: 3601)
            // The RSA key was withdrawn: after the refresh it is no longer trusted.
            fixture.server.serveJWKS([Keys.ec])
            #expect(await fixture.rejection(Mint.token(fixture.claims(["sub": "bob"]), key: Keys.rsa))?.reason == .unknownKey)
            #expect(fixture.server.requests(to: "/jwks") == 2)
        }
    }

    @Test func staleKeysStayInUseWhileTheIssuerIsDown() async throws {
        try await withFixture { fixture throws in
            #expect(await fixture.rejection(Mint.token(fixture.claims(), key: Keys.rsa)) == nil)
            fixture.clock.advance(by: 3601)
            fixture.server.serve("/jwks", status: 503, json: "{}")
            #expect(await fixture.rejection(Mint.token(fixture.claims(["sub": "bob"]), key: Keys.rsa)) == nil)
            // An unknown kid while the issuer is down: the server cannot decide.
            fixture.clock.advance(by: 31)
            #expect(await fixture.rejection(Mint.token(fixture.claims(), key: TestKey.rsa(kid: "new")))?.reason == .unavailable)
        }
    }

    @Test(arguments: [503, 404, 200])
    func jwksEndpointDownIsUnavailable(status: Int) async throws {
        try await withFixture { fixture throws in
            // 200 with a body that is not a key set counts as down too.
            fixture.server.serve("/jwks", status: status, json: status == 200 ? "<html>" : "{}")
            let rejection = await fixture.rejection(Mint.token(fixture.claims(), key: Keys.rsa))
            #expect(rejection?.reason == .unavailable)
            // Remembered for the rate-limit interval instead of hammering the issuer.
            #expect(await fixture.rejection(Mint.token(fixture.claims(["sub": "bob"]), key: Keys.rsa))?.reason == .unavailable)
            #expect(fixture.server.requests(to: "/jwks") == 1)
        }
    }

    @Test func unreachableJWKSIsUnavailable() async throws {
        try await withFixture { fixture throws in
            let verifier = BearerTokenVerifier(
                // Port 1 on loopback: nothing listens there, the connection is refused.
                issuers: [IssuerSettings(issuer: fixture.issuer, jwksURL: "http://127.0.0.1:1/jwks", audience: audience)],
                httpClient: .shared,
                logger: { var logger = Logger(label: "test"); logger.logLevel = .critical; return logger }(),
                now: { fixture.clock.now }
            )
            do throws(TokenRejection) {
                _ = try await verifier.verify(Mint.token(fixture.claims(), key: Keys.rsa))
                Issue.record("accepted")
            } catch {
                #expect(error.reason == .unavailable)
            }
        }
    }
}
