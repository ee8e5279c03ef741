import Foundation
import PorticoConfig
import Testing

struct AuthConfigTests {
    typealias Case = BadConfigCase

    /// A well-formed key hash (`sha256:<salt>:<digest>`), quoted for YAML.
    static let hash = "'sha256:000102030405060708090a0b0c0d0e0f:57782298a37e854d0e5797aafc27bddb2230d390f3f3f171b7387bf6ac6f5d93'"
    static let issuer = "auth:\n  issuers:\n    - issuer: https://login.example.com/realms/mcp\n"
    static let key = "auth:\n  api_keys:\n    - name: ci\n      hash: \(hash)\n"
    static let certificates = "auth:\n  client_certificates:\n"

    static let cases: [Case] = [
        // Switched on, but unusable.
        Case(yaml: "auth:\n  enabled: true\n  resource: https://mcp.example.com/mcp\n", keyPath: "auth.enabled", line: 2, fragment: "accepts no credential"),
        Case(
            yaml: "auth:\n  enabled: true\n  api_keys:\n    - {name: ci, hash: \(hash), scopes: [mcp]}\n",
            keyPath: "auth.resource", line: nil, fragment: "set auth.resource or server.public_url"),
        Case(
            yaml: "server:\n  public_url: https://mcp.example.com/mcp/\nauth:\n  enabled: true\n  api_keys:\n    - {name: ci, hash: \(hash)}\n",
            keyPath: "auth.resource", line: nil, fragment: "server.public_url is the resource identifier, but 'https://mcp.example.com/mcp/' must not end with '/'"),
        // The resource identifier.
        Case(yaml: "auth:\n  resource: https://mcp.example.com/mcp/\n", keyPath: "auth.resource", line: 2, fragment: "must not end with '/'"),
        Case(yaml: "auth:\n  resource: https://mcp.example.com/mcp/\n", keyPath: "auth.resource", line: 2, fragment: "write 'https://mcp.example.com/mcp'"),
        Case(yaml: "auth:\n  resource: http://mcp.example.com/mcp\n", keyPath: "auth.resource", line: 2, fragment: "must use https"),
        Case(yaml: "auth:\n  resource: https://mcp.example.com/mcp#top\n", keyPath: "auth.resource", line: 2, fragment: "must not have a query or fragment"),
        Case(yaml: "auth:\n  resource: mcp.example.com/mcp\n", keyPath: "auth.resource", line: 2, fragment: "is not an absolute URL"),
        Case(yaml: "auth:\n  resource: ftp://mcp.example.com/mcp\n", keyPath: "auth.resource", line: 2, fragment: "must be an https URL"),
        // Issuers.
        Case(yaml: "auth:\n  issuers:\n    - issuer: http://login.example.com\n", keyPath: "auth.issuers[0].issuer", line: 3, fragment: "http is accepted only on loopback"),
        Case(yaml: "auth:\n  issuers:\n    - issuer: ''\n", keyPath: "auth.issuers[0].issuer", line: 3, fragment: "the issuer identifier is required"),
        Case(yaml: "auth:\n  issuers:\n    - jwks_url: https://login.example.com/jwks\n", keyPath: "auth.issuers[0].issuer", line: nil, fragment: "the issuer identifier is required"),
        Case(
            yaml: issuer + "    - issuer: https://login.example.com/realms/mcp\n", keyPath: "auth.issuers[1].issuer", line: 4,
            fragment: "issuer 'https://login.example.com/realms/mcp' is listed twice"),
        Case(yaml: issuer + "      jwks_url: http://login.example.com/jwks\n", keyPath: "auth.issuers[0].jwks_url", line: 4, fragment: "must use https"),
        Case(yaml: issuer + "      audience: ''\n", keyPath: "auth.issuers[0].audience", line: 4, fragment: "must not be empty"),
        Case(yaml: issuer + "      algorithms: []\n", keyPath: "auth.issuers[0].algorithms", line: 4, fragment: "list at least one algorithm"),
        Case(yaml: issuer + "      algorithms: [HS256]\n", keyPath: "auth.issuers[0].algorithms[0]", line: 4, fragment: "'HS256' is not a signing algorithm"),
        Case(yaml: issuer + "      algorithms: [RS256, none]\n", keyPath: "auth.issuers[0].algorithms[1]", line: 4, fragment: "'none' is not a signing algorithm"),
        Case(yaml: issuer + "      algorithms: [rs256]\n", keyPath: "auth.issuers[0].algorithms[0]", line: 4, fragment: "did you mean 'RS256'"),
        Case(
            yaml: issuer + "      introspection:\n        endpoint: https://login.example.com/introspect\n        client_id: portico\n",
            keyPath: "auth.issuers[0].introspection.client_secret_env", line: nil, fragment: "name the environment variable"),
        Case(
            yaml: issuer + "      introspection:\n        endpoint: https://login.example.com/introspect\n        client_secret_env: SECRET\n",
            keyPath: "auth.issuers[0].introspection.client_id", line: nil, fragment: "client id"),
        Case(
            yaml: issuer + "      introspection:\n        endpoint: http://login.example.com/introspect\n        client_id: portico\n        client_secret_env: SECRET\n",
            keyPath: "auth.issuers[0].introspection.endpoint", line: 5, fragment: "must use https"),
        Case(yaml: issuer + "      jwks_uri: https://login.example.com/jwks\n", keyPath: "auth.issuers[0].jwks_uri", line: 4, fragment: "did you mean 'jwks_url'"),
        // API keys.
        Case(yaml: "auth:\n  api_keys:\n    - name: ci\n      hash: pk_thekeyitself\n", keyPath: "auth.api_keys[0].hash", line: 4, fragment: "never the key itself"),
        Case(yaml: "auth:\n  api_keys:\n    - name: ci\n", keyPath: "auth.api_keys[0].hash", line: nil, fragment: "sha256:<32 hex digits of salt>"),
        Case(yaml: key + "    - name: ci\n      hash: \(hash)\n", keyPath: "auth.api_keys[1].name", line: 5, fragment: "API key name 'ci' is used twice"),
        Case(yaml: "auth:\n  api_keys:\n    - hash: \(hash)\n", keyPath: "auth.api_keys[0].name", line: nil, fragment: "an API key needs a name"),
        Case(yaml: key + "      scopes: ['say\"hi']\n", keyPath: "auth.api_keys[0].scopes[0]", line: 5, fragment: "is not a scope token"),
        Case(yaml: key + "      scope: [mcp]\n", keyPath: "auth.api_keys[0].scope", line: 5, fragment: "did you mean 'scopes'"),
        // Rules.
        Case(yaml: "auth:\n  rules:\n    - {tool: deploy, prompt: deploy, scopes: [ops]}\n", keyPath: "auth.rules[0]", line: 3, fragment: "exactly one of tool, prompt or resource_prefix (found 2)"),
        Case(yaml: "auth:\n  rules:\n    - {scopes: [ops]}\n", keyPath: "auth.rules[0]", line: 3, fragment: "(found 0)"),
        Case(yaml: "auth:\n  rules:\n    - {tool: deploy}\n", keyPath: "auth.rules[0].scopes", line: nil, fragment: "at least one scope"),
        Case(yaml: "auth:\n  rules:\n    - {tool: deploy, scopes: []}\n", keyPath: "auth.rules[0].scopes", line: 3, fragment: "at least one scope"),
        Case(yaml: "auth:\n  rules:\n    - tool: deploy\n      scopes: [ops, 'a\\b']\n", keyPath: "auth.rules[0].scopes[1]", line: 4, fragment: "is not a scope token"),
        // Scopes.
        Case(yaml: "auth:\n  required_scopes: ['mcp read']\n", keyPath: "auth.required_scopes[0]", line: 2, fragment: "'mcp read' is not a scope token"),
        Case(yaml: "auth:\n  required_scopes: ['']\n", keyPath: "auth.required_scopes[0]", line: 2, fragment: "must not be empty"),
        Case(yaml: "auth:\n  scopes_supported: ['mcp', 'caf\u{E9}']\n", keyPath: "auth.scopes_supported[1]", line: 2, fragment: "is not a scope token"),
        Case(yaml: "auth:\n  scopes_supported: [mcp, offline_access]\n", keyPath: "auth.scopes_supported[1]", line: 2, fragment: "offline_access is for the authorization server"),
        // Client certificates.
        Case(yaml: certificates + "    trusted_proxies: [127.0.0.1, nginx.local]\n", keyPath: "auth.client_certificates.trusted_proxies[1]", line: 3, fragment: "'nginx.local' is not an IP address"),
        Case(yaml: certificates + "    trusted_proxies: [10.0.0.0/8]\n", keyPath: "auth.client_certificates.trusted_proxies[0]", line: 3, fragment: "is not an IP address"),
        Case(yaml: certificates + "    principals:\n      - subject: ''\n        scopes: [mcp]\n", keyPath: "auth.client_certificates.principals[0].subject", line: 4, fragment: "needs the subject"),
        Case(yaml: certificates + "    principals:\n      - scopes: [mcp]\n", keyPath: "auth.client_certificates.principals[0].subject", line: nil, fragment: "needs the subject"),
        // Numbers.
        Case(yaml: "auth:\n  edge:\n    cache_seconds: 99999\n", keyPath: "auth.edge.cache_seconds", line: 3, fragment: "between 0 and 3600, got 99999"),
        Case(yaml: "auth:\n  edge:\n    cache_seconds: -1\n", keyPath: "auth.edge.cache_seconds", line: 3, fragment: "between 0 and 3600, got -1"),
        Case(yaml: "auth:\n  leeway_seconds: 601\n", keyPath: "auth.leeway_seconds", line: 2, fragment: "between 0 and 600, got 601"),
        Case(yaml: "auth:\n  leeway_seconds: -1\n", keyPath: "auth.leeway_seconds", line: 2, fragment: "between 0 and 600, got -1"),
        Case(yaml: "auth:\n  cache_seconds: -5\n", keyPath: "auth.cache_seconds", line: 2, fragment: "0 (no cache) or more, got -5"),
        Case(yaml: "auth:\n  jwks_refresh_seconds: 0\n", keyPath: "auth.jwks_refresh_seconds", line: 2, fragment: "at least 1, got 0"),
        // Unknown keys.
        Case(yaml: "auth:\n  enabeld: true\n", keyPath: "auth.enabeld", line: 2, fragment: "did you mean 'enabled'"),
        Case(yaml: "auth:\n  requried_scopes: [mcp]\n", keyPath: "auth.requried_scopes", line: 2, fragment: "did you mean 'required_scopes'"),
        Case(yaml: "auth:\n  edge:\n    trust-edge: true\n", keyPath: "auth.edge.trust-edge", line: 3, fragment: "did you mean 'trust_edge'"),
        Case(yaml: "auth:\n  edge:\n    offload: false\n    trust_edge: true\n", keyPath: "auth.edge.trust_edge", line: 4, fragment: "set offload: true too"),
        Case(yaml: "auth:\n  rules:\n    - {tool: deploy, scopes: [ops], prefix: x}\n", keyPath: "auth.rules[0].prefix", line: 3, fragment: "unknown key 'prefix'"),
    ]

    @Test(arguments: cases)
    func badAuthSettingsAreReportedWithKeyPathAndLine(_ testCase: Case) {
        testCase.expectSingleIssue()
    }

    /// Host names that merely start with `127.` are not loopback: plain http to them must be refused
    /// like to any other host.
    static let namesThatLookLikeLoopback: [Case] = [
        Case(yaml: "auth:\n  resource: http://127.example.com/mcp\n", keyPath: "auth.resource", line: 2, fragment: "must use https"),
        Case(yaml: "auth:\n  issuers:\n    - issuer: http://127.0.0.1.nip.io\n", keyPath: "auth.issuers[0].issuer", line: 3, fragment: "must use https"),
    ]

    @Test(arguments: namesThatLookLikeLoopback)
    func hostNamesStartingWith127AreNotLoopback(_ testCase: Case) {
        testCase.expectSingleIssue()
    }

    static let fullSection = """
        auth:
          enabled: true
          resource: https://mcp.example.com/mcp
          required_scopes: [mcp]
          scopes_supported: [mcp, mcp:write, docs:read]
          hide_forbidden: false
          leeway_seconds: 30
          cache_seconds: 0
          jwks_refresh_seconds: 60
          issuers:
            - issuer: https://login.example.com/realms/mcp
              jwks_url: https://login.example.com/realms/mcp/certs
              audience: https://mcp.example.com
              algorithms: [RS256, PS256, ES384]
            - issuer: http://127.0.0.1:8081/dev
              introspection:
                endpoint: http://127.0.0.1:8081/dev/introspect
                client_id: portico
                client_secret_env: PORTICO_INTROSPECTION_SECRET
          api_keys:
            - name: ci
              hash: 'sha256:000102030405060708090a0b0c0d0e0f:57782298a37e854d0e5797aafc27bddb2230d390f3f3f171b7387bf6ac6f5d93'
              scopes: [mcp, mcp:write]
          rules:
            - tool: deploy
              scopes: [mcp:write]
            - prompt: review
              scopes: [mcp:write]
            - resource_prefix: "files://docs/"
              scopes: [docs:read]
          client_certificates:
            trusted_proxies: [10.0.0.2, "fd00::2"]
            principals:
              - subject: "CN=build-bot,O=Example"
                scopes: [mcp]
          edge:
            offload: true
            cache_seconds: 0
            trust_edge: true
        """

    typealias Auth = PorticoConfiguration.Auth

    static let fullAuth = Auth(
        enabled: true,
        resource: "https://mcp.example.com/mcp",
        requiredScopes: ["mcp"],
        scopesSupported: ["mcp", "mcp:write", "docs:read"],
        hideForbidden: false,
        leewaySeconds: 30,
        cacheSeconds: 0,
        jwksRefreshSeconds: 60,
        issuers: [
            Auth.Issuer(
                issuer: "https://login.example.com/realms/mcp", jwksURL: "https://login.example.com/realms/mcp/certs",
                audience: "https://mcp.example.com", algorithms: [.rs256, .ps256, .es384]),
            Auth.Issuer(
                issuer: "http://127.0.0.1:8081/dev",
                introspection: Auth.Introspection(
                    endpoint: "http://127.0.0.1:8081/dev/introspect", clientID: "portico", clientSecretEnv: "PORTICO_INTROSPECTION_SECRET")),
        ],
        apiKeys: [
            Auth.APIKey(
                name: "ci", hash: "sha256:000102030405060708090a0b0c0d0e0f:57782298a37e854d0e5797aafc27bddb2230d390f3f3f171b7387bf6ac6f5d93",
                scopes: ["mcp", "mcp:write"])
        ],
        rules: [
            Auth.Rule(tool: "deploy", scopes: ["mcp:write"]),
            Auth.Rule(prompt: "review", scopes: ["mcp:write"]),
            Auth.Rule(resourcePrefix: "files://docs/", scopes: ["docs:read"]),
        ],
        clientCertificates: Auth.ClientCertificates(
            trustedProxies: ["10.0.0.2", "fd00::2"], principals: [Auth.CertificatePrincipal(subject: "CN=build-bot,O=Example", scopes: ["mcp"])]),
        edge: Auth.EdgeOffload(offload: true, cacheSeconds: 0, trustEdge: true))

    @Test func aFullAuthSectionDecodesEveryKey() throws {
        let configuration = try PorticoConfiguration.decode(yaml: Self.fullSection)
        #expect(configuration.auth == Self.fullAuth)
        #expect(configuration.validate().isEmpty)
    }

    @Test func aFullAuthSectionRoundTripsThroughEncodedYAML() throws {
        let configuration = PorticoConfiguration(auth: Self.fullAuth)
        #expect(try PorticoConfiguration.decode(yaml: configuration.encodedYAML()) == configuration)
    }

    @Test func authIsOffByDefaultWithSafeSettings() throws {
        let auth = try PorticoConfiguration.decode(yaml: "auth: {}\n").auth
        #expect(auth == Auth())
        #expect(!auth.enabled)
        #expect(auth.resource == nil)
        #expect(auth.hideForbidden)
        #expect(auth.leewaySeconds == 60)
        #expect(auth.cacheSeconds == 300)
        #expect(auth.jwksRefreshSeconds == 30)
        #expect(auth.clientCertificates.trustedProxies == ["127.0.0.1", "::1"])
        #expect(auth.edge == Auth.EdgeOffload(offload: true, cacheSeconds: 10, trustEdge: false))
        #expect(Auth.Issuer().algorithms == [.rs256, .es256, .edDSA])
    }

    @Test func theExampleFileLeavesAuthOffAtItsDefaults() throws {
        try #require(FileManager.default.fileExists(atPath: RoundTripTests.exampleFile))
        let configuration = try PorticoConfiguration.load(contentsOf: RoundTripTests.exampleFile)
        #expect(configuration.auth == Auth())
        #expect(configuration == PorticoConfiguration())
    }

    @Test(arguments: [
        "https://mcp.example.com/mcp",
        "https://mcp.example.com",
        "https://mcp.example.com/",
        "https://mcp.example.com:8443/tenants/a/mcp",
        "HTTPS://mcp.example.com/mcp",
        "http://127.0.0.1:8080/mcp",
        "http://localhost:8080/mcp",
        "http://[::1]:8080/mcp",
    ])
    func resourceIdentifiersThatClientsAccept(_ resource: String) throws {
        let configuration = try PorticoConfiguration.decode(yaml: "auth:\n  resource: '\(resource)'\n")
        #expect(configuration.auth.resource == resource)
    }

    @Test(arguments: ["http://127.0.0.1:9000/realms/dev", "http://localhost/realms/dev", "https://login.example.com", "http://[::1]:9000"])
    func issuersOnHTTPSOrLoopbackAreAccepted(_ issuer: String) throws {
        let configuration = try PorticoConfiguration.decode(yaml: "auth:\n  issuers:\n    - issuer: '\(issuer)'\n")
        #expect(configuration.auth.issuers.map(\.issuer) == [issuer])
    }

    @Test func theResourceFallsBackToThePublicURL() throws {
        let yaml = "server:\n  public_url: https://mcp.example.com/api/mcp\nauth:\n  enabled: true\n  api_keys:\n    - {name: ci, hash: \(Self.hash)}\n"
        let configuration = try PorticoConfiguration.decode(yaml: yaml)
        #expect(configuration.auth.resource == nil)
        #expect(configuration.auth.resourceURL(server: configuration.server) == "https://mcp.example.com/api/mcp")
        var explicit = configuration
        explicit.auth.resource = "https://mcp.example.com/other"
        #expect(explicit.auth.resourceURL(server: explicit.server) == "https://mcp.example.com/other")
    }

    @Test func mentionedScopesListEveryScopeOnceInFileOrder() {
        let auth = Auth(
            requiredScopes: ["mcp"],
            apiKeys: [Auth.APIKey(name: "ci", hash: "", scopes: ["keys", "mcp"])],
            rules: [Auth.Rule(tool: "deploy", scopes: ["ops", "mcp"])],
            clientCertificates: Auth.ClientCertificates(principals: [Auth.CertificatePrincipal(subject: "CN=bot", scopes: ["certs", "ops"])]))
        #expect(auth.mentionedScopes == ["mcp", "ops", "keys", "certs"])
    }

    @Test func problemsAcrossTheAuthSectionAreAllReported() {
        let yaml = """
            auth:
              enabled: true
              resource: http://mcp.example.com/mcp/
              leeway_seconds: 601
              rules:
                - {scopes: []}
            """
        let reported = issues(in: yaml)
        #expect(reported.map(\.keyPath) == ["auth.enabled", "auth.resource", "auth.leeway_seconds", "auth.rules[0]", "auth.rules[0].scopes"])
    }
}
