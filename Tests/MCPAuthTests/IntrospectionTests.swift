import MCPAuth
import MCPCore
import Testing

struct IntrospectionCase: Sendable, CustomTestStringConvertible {
    let name: String
    let expected: TokenRejection.Reason?
    /// The introspection answer, given the fixture (for `iss` and the clock).
    let answer: @Sendable (Fixture) -> String
    var testDescription: String { name }
}

let introspectionCases: [IntrospectionCase] = [
    IntrospectionCase(name: "active", expected: nil) {
        #"{"active":true,"sub":"alice","scope":"tools:read tools:call","exp":\#(Int($0.clock.now) + 600),"iss":"\#($0.issuer)","aud":"\#(audience)"}"#
    },
    IntrospectionCase(name: "active, audience array, no iss", expected: nil) {
        #"{"active":true,"sub":"alice","scope":"tools:read tools:call","exp":\#(Int($0.clock.now) + 600),"aud":["x","\#(audience)"]}"#
    },
    IntrospectionCase(name: "inactive", expected: .inactive) { _ in #"{"active":false}"# },
    IntrospectionCase(name: "expired", expected: .expired) {
        #"{"active":true,"sub":"alice","aud":"\#(audience)","exp":\#(Int($0.clock.now) - 600)}"#
    },
    IntrospectionCase(name: "wrong audience", expected: .wrongAudience) { _ in
        #"{"active":true,"sub":"alice","aud":"https://other.example.com"}"#
    },
    IntrospectionCase(name: "wrong issuer", expected: .wrongIssuer) { _ in
        #"{"active":true,"sub":"alice","iss":"https://evil.example.com"}"#
    },
    IntrospectionCase(name: "no subject at all", expected: .malformed) { _ in #"{"active":true,"aud":"\#(audience)"}"# },
    IntrospectionCase(name: "no audience: binding cannot be shown", expected: .wrongAudience) { _ in #"{"active":true,"sub":"alice"}"# },
    IntrospectionCase(name: "not JSON", expected: .unavailable) { _ in "<html>" },
]

@Suite struct IntrospectionTests {
    static var options: FixtureOptions {
        var options = FixtureOptions()
        // Characters that RFC 6749 §2.3.1 form-encoding has to protect.
        options.introspection = IntrospectionSettings(endpoint: "", clientID: "portico rs:1", clientSecret: "s3cr%t+/=:\u{E9}")
        return options
    }

    @Test(arguments: introspectionCases)
    func introspection(_ testCase: IntrospectionCase) async throws {
        try await withFixture(Self.options) { fixture throws in
            fixture.server.expectClient(id: "portico rs:1", secret: "s3cr%t+/=:\u{E9}")
            let token = "opaque token/+=&%"
            fixture.server.introspection(for: token, answer: testCase.answer(fixture))
            switch await fixture.outcome(token) {
            case .success(let verified):
                #expect(testCase.expected == nil)
                #expect(verified.principal == .init(id: "\(fixture.issuer)#alice", scopes: ["tools:read", "tools:call"]))
                #expect(verified.expiresAt == fixture.clock.now + 600)
            case .failure(let rejection):
                #expect(rejection.reason == testCase.expected, "\(rejection)")
            }
            #expect(fixture.server.requests(to: "/introspect") == 1)
        }
    }

    @Test func subjectFallsBackToUsernameThenClientID() async throws {
        try await withFixture(Self.options) { fixture throws in
            fixture.server.expectClient(id: "portico rs:1", secret: "s3cr%t+/=:\u{E9}")
            fixture.server.introspection(for: "t1", answer: #"{"active":true,"username":"bob","client_id":"c","aud":"\#(audience)"}"#)
            fixture.server.introspection(for: "t2", answer: #"{"active":true,"client_id":"c","aud":"\#(audience)"}"#)
            #expect(try await fixture.verifier.verify("t1").principal.id == "\(fixture.issuer)#user:bob")
            #expect(try await fixture.verifier.verify("t2").principal.id == "\(fixture.issuer)#client:c")
            #expect(try await fixture.verifier.verify("t2").expiresAt == nil)
        }
    }

    @Test(arguments: [500, 503])
    func endpointErrorIsUnavailable(status: Int) async throws {
        try await withFixture(Self.options) { fixture throws in
            fixture.server.expectClient(id: "portico rs:1", secret: "s3cr%t+/=:\u{E9}")
            fixture.server.setIntrospectionStatus(status)
            #expect(await fixture.rejection("opaque")?.reason == .unavailable)
        }
    }

    @Test func wrongClientCredentialsAreUnavailable() async throws {
        try await withFixture(Self.options) { fixture throws in
            fixture.server.expectClient(id: "portico rs:1", secret: "another secret")
            fixture.server.introspection(for: "opaque", answer: #"{"active":true,"sub":"alice","aud":"\#(audience)"}"#)
            #expect(await fixture.rejection("opaque")?.reason == .unavailable)
            #expect(fixture.server.requests(to: "/introspect") == 1)
        }
    }

    @Test func jwtShapedTokensAreNotIntrospected() async throws {
        try await withFixture(Self.options) { fixture throws in
            #expect(await fixture.rejection("a.b.c")?.reason == .malformed)
            #expect(fixture.server.requests(to: "/introspect") == 0)
        }
    }

    @Test func opaqueTokenWithoutIntrospectionIsMalformed() async throws {
        try await withFixture { fixture throws in
            let rejection = await fixture.rejection("opaque")
            #expect(rejection?.reason == .malformed)
            #expect(rejection?.detail == "not a JWT, API key or introspectable token")
        }
    }
}
