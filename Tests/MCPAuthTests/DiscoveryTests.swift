import MCPAuth
import Testing

@Suite struct DiscoveryTests {
    @Test func candidateURLs() {
        #expect(AuthorizationServerMetadata.candidateURLs(for: "https://as.example.com/tenant/") == [
            "https://as.example.com/.well-known/oauth-authorization-server/tenant",
            "https://as.example.com/tenant/.well-known/openid-configuration",
            "https://as.example.com/.well-known/openid-configuration/tenant",
        ])
        #expect(AuthorizationServerMetadata.candidateURLs(for: "https://as.example.com") == [
            "https://as.example.com/.well-known/oauth-authorization-server",
            "https://as.example.com/.well-known/openid-configuration",
        ])
    }

    static func metadata(issuer: String, jwks: String) -> String {
        #"{"issuer":"\#(issuer)","jwks_uri":"\#(jwks)","response_types_supported":["code"]}"#
    }

    @Test func rfc8414MetadataIsTriedFirst() async throws {
        var options = FixtureOptions()
        options.configureJWKSURL = false
        try await withFixture(options) { fixture throws in
            let server = fixture.server
            server.serve("/.well-known/oauth-authorization-server/tenant", json: Self.metadata(issuer: fixture.issuer, jwks: server.base + "/jwks"))
            server.serve("/tenant/.well-known/openid-configuration", json: Self.metadata(issuer: fixture.issuer, jwks: server.base + "/other-jwks"))
            #expect(await fixture.rejection(Mint.token(fixture.claims(), key: Keys.rsa)) == nil)
            #expect(server.requests(to: "/.well-known/oauth-authorization-server/tenant") == 1)
            #expect(server.requests(to: "/tenant/.well-known/openid-configuration") == 0)
            #expect(server.requests(to: "/jwks") == 1)
        }
    }

    @Test(arguments: ["/tenant/.well-known/openid-configuration", "/.well-known/openid-configuration/tenant"])
    func openIDConfigurationIsTheFallback(path: String) async throws {
        var options = FixtureOptions()
        options.configureJWKSURL = false
        try await withFixture(options) { fixture throws in
            let server = fixture.server
            server.serve(path, json: Self.metadata(issuer: fixture.issuer, jwks: server.base + "/jwks"))
            #expect(await fixture.rejection(Mint.token(fixture.claims(), key: Keys.ec)) == nil)
            #expect(server.requests(to: "/.well-known/oauth-authorization-server/tenant") == 1)
            #expect(server.requests(to: path) == 1)
            #expect(server.requests(to: "/jwks") == 1)

            // The discovered jwks_uri is kept: a later refresh goes straight to it.
            fixture.clock.advance(by: 31)
            #expect(await fixture.rejection(Mint.token(fixture.claims(), key: TestKey.p256(kid: "new")))?.reason == .unknownKey)
            #expect(server.requests(to: path) == 1)
            #expect(server.requests(to: "/jwks") == 2)
        }
    }

    @Test func metadataNamingAnotherIssuerIsNotUsed() async throws {
        var options = FixtureOptions()
        options.configureJWKSURL = false
        try await withFixture(options) { fixture throws in
            let server = fixture.server
            server.serve("/.well-known/oauth-authorization-server/tenant", json: Self.metadata(issuer: server.base + "/other", jwks: server.base + "/jwks"))
            let rejection = await fixture.rejection(Mint.token(fixture.claims(), key: Keys.rsa))
            #expect(rejection?.reason == .unavailable)
            #expect(rejection?.detail.contains("different issuer") == true)
            #expect(server.requests(to: "/jwks") == 0)
        }
    }

    @Test func noMetadataAnywhereIsUnavailable() async throws {
        var options = FixtureOptions()
        options.configureJWKSURL = false
        try await withFixture(options) { fixture throws in
            let rejection = await fixture.rejection(Mint.token(fixture.claims(), key: Keys.rsa))
            #expect(rejection?.reason == .unavailable)
            #expect(fixture.server.totalRequests == 3)
        }
    }
}
