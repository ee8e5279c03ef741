import AsyncHTTPClient
import Logging
import MCPAuth
import MCPCore
import Synchronization

let audience = "https://mcp.example.com/mcp"

/// A clock the test moves by hand, so expiry and the refresh rate limit need no sleeping.
final class TestClock: Sendable {
    private let time: Mutex<Double>
    init(_ start: Double = 1_800_000_000) { time = Mutex(start) }
    var now: Double { time.withLock { $0 } }
    func advance(by seconds: Double) { time.withLock { $0 += seconds } }
}

/// Keys shared by all tests (RSA generation is slow).
enum Keys {
    static let rsa = TestKey.rsa()
    static let ec = TestKey.p256()
    static let ed = TestKey.ed25519()
}

struct Fixture {
    let server: TestAuthServer
    let clock: TestClock
    let verifier: BearerTokenVerifier
    let issuer: String

    /// Claims of a valid token; `changes` override, a `nil` value removes the claim.
    func claims(_ changes: [String: (any Sendable)?] = [:]) -> [String: any Sendable] {
        var claims: [String: any Sendable] = [
            "iss": issuer, "sub": "alice", "aud": audience,
            "exp": Int(clock.now) + 600, "iat": Int(clock.now),
            "scope": "tools:read tools:call", "client_id": "client-1",
        ]
        for (name, value) in changes {
            claims[name] = value
        }
        return claims
    }

    func outcome(_ token: String) async -> Result<VerifiedToken, TokenRejection> {
        do throws(TokenRejection) {
            return .success(try await verifier.verify(token))
        } catch {
            return .failure(error)
        }
    }

    func rejection(_ token: String) async -> TokenRejection? {
        if case .failure(let rejection) = await outcome(token) { return rejection }
        return nil
    }
}

struct FixtureOptions: Sendable {
    var keys: [TestKey] = [Keys.rsa, Keys.ec, Keys.ed]
    /// `false`: the issuer's `jwks_uri` is discovered from its metadata.
    var configureJWKSURL = true
    var issuerPath = "/tenant"
    var algorithms: Set<JWTAlgorithmName> = [.rs256, .ps256, .es256, .eddsa]
    var introspection: IntrospectionSettings?
    var apiKeys: [APIKeyEntry] = []
    var leeway: Double = 60
    var cacheTTL: Double = 300
    var minimumKeyRefreshInterval: Double = 30
}

/// A fresh authorization server and verifier for one test.
func withFixture(_ options: FixtureOptions = FixtureOptions(), _ body: (Fixture) async throws -> Void) async throws {
    try await TestAuthServer.with { server in
        server.serveJWKS(options.keys)
        let issuer = server.base + options.issuerPath
        var introspection = options.introspection
        introspection?.endpoint = server.base + "/introspect"
        let clock = TestClock()
        var logger = Logger(label: "mcp-auth-test")
        logger.logLevel = .critical
        let verifier = BearerTokenVerifier(
            issuers: [
                IssuerSettings(
                    issuer: issuer,
                    jwksURL: options.configureJWKSURL ? server.base + "/jwks" : nil,
                    audience: audience,
                    algorithms: options.algorithms,
                    introspection: introspection
                )
            ],
            apiKeys: options.apiKeys,
            leeway: options.leeway,
            cacheTTL: options.cacheTTL,
            minimumKeyRefreshInterval: options.minimumKeyRefreshInterval,
            httpClient: .shared,
            logger: logger,
            now: { clock.now }
        )
        try await body(Fixture(server: server, clock: clock, verifier: verifier, issuer: issuer))
    }
}
