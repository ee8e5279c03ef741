import Crypto
import CryptoExtras
import Foundation
import HTTPTypes
import MCPAuth
import MCPCore
import MCPHTTP
import PorticoConfig
import Testing

/// What `AuthGate.make` and `AccessPolicy(auth:)` build from the `auth:` section. None of these
/// gates ever fetches keys, so no authorization server is needed.
@Suite struct AuthGateConfigurationTests {
    typealias Auth = PorticoConfiguration.Auth

    static let key = APIKeyEntry.newKey()
    static let keys = [Auth.APIKey(name: "ci", hash: APIKeyEntry.makeHash(of: key), scopes: ["read", "write"])]

    func make(_ auth: Auth, server: PorticoConfiguration.Server = .init(), environment: @escaping (String) -> String? = { _ in nil }) throws -> AuthGate? {
        try AuthGate.make(configuration: PorticoConfiguration(server: server, auth: auth), environment: environment, logger: quietGateLogger)
    }

    /// The challenge a request without credentials gets.
    func challenge(of gate: AuthGate) async throws -> String? {
        let refusal = try #require(await gate.admit(requestHead([]), peer: nil).refusal)
        #expect(refusal.status == .unauthorized)
        return refusal.headers[.wwwAuthenticate]
    }

    @Test func noGateWhenAuthenticationIsOff() throws {
        #expect(try make(Auth(enabled: false, resource: gateResource, apiKeys: Self.keys)) == nil)
        #expect(try make(Auth()) == nil)
    }

    @Test func aGateNeedsAResourceIdentifier() {
        let error = #expect(throws: AuthSetupError.self) { try make(Auth(enabled: true, apiKeys: Self.keys)) }
        #expect(error?.description == "auth needs auth.resource or server.public_url")
    }

    @Test func theResourceFallsBackToThePublicURL() async throws {
        let gate = try #require(try make(
            Auth(enabled: true, requiredScopes: ["mcp"], issuers: [Auth.Issuer(issuer: "https://login.example.com")]),
            server: PorticoConfiguration.Server(publicURL: "https://public.example.com/api/mcp")))
        #expect(try await challenge(of: gate) == #"Bearer resource_metadata="https://public.example.com/.well-known/oauth-protected-resource/api/mcp", scope="mcp""#)
    }

    @Test func anIntrospectionSecretMustBeInTheEnvironment() throws {
        let issuer = Auth.Issuer(
            issuer: "https://login.example.com",
            introspection: Auth.Introspection(endpoint: "https://login.example.com/introspect", clientID: "portico", clientSecretEnv: "PORTICO_TEST_SECRET"))
        let auth = Auth(enabled: true, resource: gateResource, issuers: [issuer])
        for environment: [String: String] in [[:], ["PORTICO_TEST_SECRET": ""]] {
            let error = #expect(throws: AuthSetupError.self) { try make(auth, environment: { environment[$0] }) }
            #expect(
                error?.description
                    == "auth.issuers 'https://login.example.com': the introspection client secret variable PORTICO_TEST_SECRET is not set")
        }
        #expect(try make(auth, environment: { $0 == "PORTICO_TEST_SECRET" ? "s3cret" : nil }) != nil)
    }

    static let challenges: [(name: String, auth: Auth, challenge: String)] = [
        (
            "without issuers there is no metadata to point at",
            Auth(enabled: true, resource: gateResource, requiredScopes: ["mcp"], apiKeys: keys),
            #"Bearer scope="mcp""#
        ),
        (
            "without required scopes the challenge names none: rule scopes come in their own 403",
            Auth(enabled: true, resource: gateResource, apiKeys: keys, rules: [Auth.Rule(tool: "deploy", scopes: ["ops"])]),
            "Bearer"
        ),
        (
            "scopes_supported alone is not asked for up front (it is in the metadata)",
            Auth(enabled: true, resource: gateResource, scopesSupported: ["mcp", "docs"], apiKeys: keys),
            "Bearer"
        ),
        (
            "with required scopes only those are named",
            Auth(enabled: true, resource: gateResource, requiredScopes: ["mcp", "base"], scopesSupported: ["mcp", "docs"], apiKeys: keys),
            #"Bearer scope="mcp base""#
        ),
        (
            "with no scope anywhere the challenge is bare",
            Auth(enabled: true, resource: gateResource, clientCertificates: Auth.ClientCertificates(principals: [Auth.CertificatePrincipal(subject: "CN=bot")])),
            "Bearer"
        ),
        (
            "with an issuer the metadata URL is named",
            Auth(enabled: true, resource: "https://mcp.example.com", issuers: [Auth.Issuer(issuer: "https://login.example.com")]),
            #"Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource""#
        ),
    ]

    @Test("the 401 challenge follows the configuration", arguments: challenges)
    func challengeFollowsTheConfiguration(_ name: String, _ auth: Auth, _ expected: String) async throws {
        let gate = try #require(try make(auth))
        #expect(try await challenge(of: gate) == expected)
    }

    @Test func withoutRequiredScopesAnyVerifiedKeyIsAdmitted() async throws {
        let gate = try #require(try make(Auth(enabled: true, resource: gateResource, apiKeys: Self.keys)))
        let verdict = await gate.admit(requestHead(authorizationHeader("Bearer \(Self.key)")), peer: nil).verdict
        #expect(verdict == .admitted(Principal(id: "key:ci", scopes: ["read", "write"])))
    }

    @Test func thePolicyIsOpenWhenAuthenticationIsOff() {
        let policy = AccessPolicy(auth: Auth(enabled: false, requiredScopes: ["mcp"], rules: [Auth.Rule(tool: "deploy", scopes: ["ops"])]))
        #expect(policy.isUniform)
        #expect(!policy.hidesForbidden)
        #expect(policy.requiredScopes(for: .tool("deploy")).isEmpty)
    }

    @Test func thePolicyTakesItsScopesFromTheRules() {
        let auth = Auth(
            enabled: true, resource: gateResource, requiredScopes: ["mcp"], hideForbidden: false,
            rules: [
                Auth.Rule(tool: "deploy", scopes: ["ops"]),
                Auth.Rule(tool: "deploy", scopes: ["audit"]),
                Auth.Rule(prompt: "review", scopes: ["reviewer"]),
                Auth.Rule(resourcePrefix: "files://docs/", scopes: ["docs"]),
                Auth.Rule(resourcePrefix: "files://docs/private/", scopes: ["private"]),
            ])
        let policy = AccessPolicy(auth: auth)
        #expect(policy.baseScopes == ["mcp"])
        #expect(!policy.hidesForbidden)
        #expect(policy.requiredScopes(for: .tool("deploy")) == ["mcp", "ops", "audit"])
        #expect(policy.requiredScopes(for: .prompt("review")) == ["mcp", "reviewer"])
        #expect(policy.requiredScopes(for: .resource("files://docs/a.md")) == ["mcp", "docs"])
        #expect(policy.requiredScopes(for: .resource("files://docs/private/a.md")) == ["mcp", "private"])
        #expect(policy.requiredScopes(for: .tool("search")) == ["mcp"])
    }
}

@Suite struct ConfiguredAlgorithmTests {
    /// A config can only name algorithms the verifier implements; otherwise an issuer listing
    /// one would silently accept nothing.
    @Test func everyAlgorithmTheConfigurationAcceptsIsOneTheVerifierImplements() {
        let configurable = Set(PorticoConfiguration.Auth.Algorithm.allCases.map(\.rawValue))
        let implemented = Set(JWTAlgorithmName.allCases.map(\.rawValue))
        #expect(configurable == implemented)
    }
}
