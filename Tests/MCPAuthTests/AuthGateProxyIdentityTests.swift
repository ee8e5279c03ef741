import HTTPTypes
import MCPAuth
import MCPCore
import Testing

/// Identities the edge asserts in headers: a client certificate nginx verifiedBotHeaders, or its own
/// verdict on the token (`trust_edge`). Believed only from `client_certificates.trusted_proxies`.
struct ProxyIdentityCase: Sendable, CustomTestStringConvertible {
    let name: String
    var peer: String?
    var trustEdge = false
    var headers: [(String, String)]
    var expected: Verdict
    var testDescription: String { name }

    init(_ name: String, peer: String?, trustEdge: Bool = false, _ headers: [(String, String)], _ expected: Verdict) {
        self.name = name
        self.peer = peer
        self.trustEdge = trustEdge
        self.headers = headers
        self.expected = expected
    }
}

let verifiedBotHeaders = [("X-Portico-Client-Verify", "SUCCESS"), ("X-Portico-Client-Subject", "CN=bot")]
let edgeVerdictHeaders = [("X-Portico-Principal", "https://login.example.com#bob"), ("X-Portico-Scopes", "mcp tools:call")]
let botVerdict = Verdict.admitted(Principal(id: "cert:CN=bot", scopes: ["mcp"]))
let bobVerdict = Verdict.admitted(Principal(id: "https://login.example.com#bob", scopes: ["mcp", "tools:call"]))
let unauthenticatedVerdict = Verdict.refused(status: 401, wwwAuthenticate: plainChallenge)

let proxyIdentityCases: [ProxyIdentityCase] = [
    // Client certificates.
    ProxyIdentityCase("a verified certificate from 127.0.0.1", peer: "127.0.0.1", verifiedBotHeaders, botVerdict),
    ProxyIdentityCase("a verified certificate from ::1", peer: "::1", verifiedBotHeaders, botVerdict),
    ProxyIdentityCase("a verified certificate from ::ffff:127.0.0.1", peer: "::ffff:127.0.0.1", verifiedBotHeaders, botVerdict),
    ProxyIdentityCase("a verified certificate from 10.1.2.3", peer: "10.1.2.3", verifiedBotHeaders, unauthenticatedVerdict),
    ProxyIdentityCase("a verified certificate from an unknown peer", peer: nil, verifiedBotHeaders, unauthenticatedVerdict),
    ProxyIdentityCase(
        "a certificate that failed verification", peer: "127.0.0.1",
        [("X-Portico-Client-Verify", "FAILED:certificate has expired"), ("X-Portico-Client-Subject", "CN=bot")], unauthenticatedVerdict),
    ProxyIdentityCase(
        "verify in lower case", peer: "127.0.0.1", [("X-Portico-Client-Verify", "success"), ("X-Portico-Client-Subject", "CN=bot")], unauthenticatedVerdict),
    ProxyIdentityCase("a subject without verification", peer: "127.0.0.1", [("X-Portico-Client-Subject", "CN=bot")], unauthenticatedVerdict),
    ProxyIdentityCase(
        "a verified subject that is not configured", peer: "127.0.0.1",
        [("X-Portico-Client-Verify", "SUCCESS"), ("X-Portico-Client-Subject", "CN=bot,O=Elsewhere")], unauthenticatedVerdict),
    ProxyIdentityCase(
        "a verified subject without the required scope", peer: "127.0.0.1",
        [("X-Portico-Client-Verify", "SUCCESS"), ("X-Portico-Client-Subject", "CN=reader")],
        .refused(status: 403, wwwAuthenticate: challenge("insufficient_scope", "this server needs scope mcp"))),
    ProxyIdentityCase("a verified certificate beside Basic credentials", peer: "127.0.0.1", verifiedBotHeaders + [("Authorization", "Basic eHl6")], botVerdict),
    ProxyIdentityCase(
        "a verified certificate beside a bad bearer token", peer: "127.0.0.1", verifiedBotHeaders + [("Authorization", "Bearer not-a-known-token")],
        .refused(status: 401, wwwAuthenticate: challenge("invalid_token", "not a JWT, API key or introspectable token"))),
    // The edge's verdict.
    ProxyIdentityCase("the edge's verdict from 127.0.0.1 with trust_edge", peer: "127.0.0.1", trustEdge: true, edgeVerdictHeaders, bobVerdict),
    ProxyIdentityCase("the edge's verdict from ::1 with trust_edge", peer: "::1", trustEdge: true, edgeVerdictHeaders, bobVerdict),
    ProxyIdentityCase("the edge's verdict from 10.1.2.3 with trust_edge", peer: "10.1.2.3", trustEdge: true, edgeVerdictHeaders, unauthenticatedVerdict),
    ProxyIdentityCase("the edge's verdict from an unknown peer", peer: nil, trustEdge: true, edgeVerdictHeaders, unauthenticatedVerdict),
    ProxyIdentityCase("the edge's verdict from 127.0.0.1 without trust_edge", peer: "127.0.0.1", trustEdge: false, edgeVerdictHeaders, unauthenticatedVerdict),
    ProxyIdentityCase(
        "the edge's verdict without the required scope", peer: "127.0.0.1", trustEdge: true,
        [("X-Portico-Principal", "https://login.example.com#bob"), ("X-Portico-Scopes", "tools:call")],
        .refused(status: 403, wwwAuthenticate: challenge("insufficient_scope", "this server needs scope mcp"))),
    ProxyIdentityCase(
        "the edge's verdict without a scopes header", peer: "127.0.0.1", trustEdge: true, [("X-Portico-Principal", "key:ci")],
        .refused(status: 403, wwwAuthenticate: challenge("insufficient_scope", "this server needs scope mcp"))),
    ProxyIdentityCase("an empty principal header", peer: "127.0.0.1", trustEdge: true, [("X-Portico-Principal", ""), ("X-Portico-Scopes", "mcp")], unauthenticatedVerdict),
    ProxyIdentityCase(
        "the edge's verdict from 10.1.2.3 beside a good key: the key counts, the headers do not", peer: "10.1.2.3", trustEdge: true,
        edgeVerdictHeaders + [("Authorization", "Bearer \(GateKeys.full)")], .admitted(Principal(id: "key:ci", scopes: ["mcp", "tools:call"]))),
    ProxyIdentityCase(
        "certificate headers from 10.1.2.3 beside a good key: the key counts", peer: "10.1.2.3",
        verifiedBotHeaders + [("Authorization", "Bearer \(GateKeys.full)")], .admitted(Principal(id: "key:ci", scopes: ["mcp", "tools:call"]))),
]

@Suite struct AuthGateProxyIdentityTests {
    @Test(arguments: proxyIdentityCases)
    func identityHeadersCountOnlyFromTrustedProxies(_ testCase: ProxyIdentityCase) async throws {
        try await withGate(trustEdge: testCase.trustEdge) { gate, _ in
            let decision = await gate.admit(requestHead(testCase.headers), peer: try peer(testCase.peer))
            #expect(decision.verdict == testCase.expected)
        }
    }
}
