import Foundation
import HTTPTypes
import Hummingbird
import MCPAuth
import MCPCore
import MCPHTTP
import Testing

/// One request to the gate and what it must decide.
struct AdmitCase: Sendable, CustomTestStringConvertible {
    let name: String
    var path = "/mcp"
    var peer: String? = "127.0.0.1"
    let headers: @Sendable (Credentials) -> [(String, String)]
    let expected: @Sendable (Credentials) -> Verdict
    var testDescription: String { name }

    init(
        _ name: String, path: String = "/mcp", peer: String? = "127.0.0.1", headers: @escaping @Sendable (Credentials) -> [(String, String)],
        expected: @escaping @Sendable (Credentials) -> Verdict
    ) {
        self.name = name
        self.path = path
        self.peer = peer
        self.headers = headers
        self.expected = expected
    }

    init(_ name: String, path: String = "/mcp", peer: String? = "127.0.0.1", headers: @escaping @Sendable (Credentials) -> [(String, String)], _ verdict: Verdict) {
        self.init(name, path: path, peer: peer, headers: headers, expected: { _ in verdict })
    }
}

/// `Authorization: <value>`.
func authorizationHeader(_ value: String) -> [(String, String)] { [("Authorization", value)] }

let oversizedToken = String(repeating: "a", count: 17 * 1024)
let largestToken = String(repeating: "a", count: 16 * 1024)

let bearerCases: [AdmitCase] = [
    // No credential: the challenge says where the metadata is and which scope to ask for, with no error code.
    AdmitCase("no Authorization header", headers: { _ in [] }, .refused(status: 401, wwwAuthenticate: plainChallenge)),
    AdmitCase("Basic credentials", headers: { _ in authorizationHeader("Basic xyz") }, .refused(status: 401, wwwAuthenticate: plainChallenge)),
    AdmitCase("a scheme that merely starts with Bearer", headers: { _ in authorizationHeader("Bearerish \(GateKeys.full)") }, .refused(status: 401, wwwAuthenticate: plainChallenge)),
    // Malformed requests.
    AdmitCase(
        "Bearer without a token", headers: { _ in authorizationHeader("Bearer") },
        .refused(status: 400, wwwAuthenticate: challenge("invalid_request", "the Bearer credential has no token"))),
    AdmitCase(
        "Bearer with two words", headers: { _ in authorizationHeader("Bearer a b") },
        .refused(status: 400, wwwAuthenticate: challenge("invalid_request", "the bearer token has characters outside token68 (RFC 6750 2.1)"))),
    AdmitCase(
        "Bearer token with a quote", headers: { _ in authorizationHeader("Bearer abc\"def") },
        .refused(status: 400, wwwAuthenticate: challenge("invalid_request", "the bearer token has characters outside token68 (RFC 6750 2.1)"))),
    AdmitCase(
        "token68 padding in the middle of the token", headers: { _ in authorizationHeader("Bearer abc=def") },
        .refused(status: 400, wwwAuthenticate: challenge("invalid_request", "the bearer token has characters outside token68 (RFC 6750 2.1)"))),
    AdmitCase(
        "two Authorization fields", headers: { _ in authorizationHeader("Bearer \(GateKeys.full)") + authorizationHeader("Bearer \(GateKeys.full)") },
        .refused(status: 400, wwwAuthenticate: challenge("invalid_request", "more than one Authorization header"))),
    AdmitCase(
        "access_token in the query", path: "/mcp?access_token=secret-in-the-url", headers: { _ in [] },
        .refused(status: 400, wwwAuthenticate: challenge("invalid_request", "access tokens are accepted only in the Authorization header, never in the URL"))),
    AdmitCase(
        "access_token in the query beside a good key", path: "/mcp?a=1&access_token=secret-in-the-url", headers: { _ in authorizationHeader("Bearer \(GateKeys.full)") },
        .refused(status: 400, wwwAuthenticate: challenge("invalid_request", "access tokens are accepted only in the Authorization header, never in the URL"))),
    AdmitCase(
        "a bare access_token query parameter", path: "/mcp?x=1&access_token", headers: { _ in [] },
        .refused(status: 400, wwwAuthenticate: challenge("invalid_request", "access tokens are accepted only in the Authorization header, never in the URL"))),
    AdmitCase(
        "a query parameter that only ends in access_token", path: "/mcp?my_access_token=1", headers: { _ in authorizationHeader("Bearer \(GateKeys.full)") },
        .admitted(Principal(id: "key:ci", scopes: ["mcp", "tools:call"]))),
    // Bad tokens.
    AdmitCase(
        "a 17 KiB token", headers: { _ in authorizationHeader("Bearer \(oversizedToken)") },
        .refused(status: 401, wwwAuthenticate: challenge("invalid_token", "the token is larger than 16384 bytes"))),
    AdmitCase(
        "a 16 KiB token is read, and is no token we know", headers: { _ in authorizationHeader("Bearer \(largestToken)") },
        .refused(status: 401, wwwAuthenticate: challenge("invalid_token", "not a JWT, API key or introspectable token"))),
    AdmitCase(
        "a wrong API key", headers: { _ in authorizationHeader("Bearer \(APIKeyEntry.newKey())") },
        .refused(status: 401, wwwAuthenticate: challenge("invalid_token", "the API key is not known to this server"))),
    AdmitCase(
        "the right API key missing its last character", headers: { _ in authorizationHeader("Bearer \(GateKeys.full.dropLast())") },
        .refused(status: 401, wwwAuthenticate: challenge("invalid_token", "the API key is not known to this server"))),
    // API keys.
    AdmitCase("the right API key", headers: { _ in authorizationHeader("Bearer \(GateKeys.full)") }, .admitted(Principal(id: "key:ci", scopes: ["mcp", "tools:call"]))),
    AdmitCase("the scheme in lower case", headers: { _ in authorizationHeader("bearer \(GateKeys.full)") }, .admitted(Principal(id: "key:ci", scopes: ["mcp", "tools:call"]))),
    AdmitCase("the scheme in upper case", headers: { _ in authorizationHeader("BEARER \(GateKeys.full)") }, .admitted(Principal(id: "key:ci", scopes: ["mcp", "tools:call"]))),
    AdmitCase("several spaces before the token", headers: { _ in authorizationHeader("Bearer   \(GateKeys.full)") }, .admitted(Principal(id: "key:ci", scopes: ["mcp", "tools:call"]))),
    AdmitCase(
        "a key without the required scope", headers: { _ in authorizationHeader("Bearer \(GateKeys.narrow)") },
        .refused(status: 403, wwwAuthenticate: challenge("insufficient_scope", "this server needs scope mcp"))),
    // JWTs from the configured issuer.
    AdmitCase("a valid JWT", headers: { authorizationHeader("Bearer \($0.jwt())") }, expected: { .admitted(Principal(id: $0.issuer + "#alice", scopes: ["mcp", "tools:call"])) }),
    AdmitCase(
        "a valid JWT with scp instead of scope", headers: { authorizationHeader("Bearer \($0.jwt(["scope": nil, "scp": ["mcp", "read"]]))") },
        expected: { .admitted(Principal(id: $0.issuer + "#alice", scopes: ["mcp", "read"])) }),
    AdmitCase(
        "an expired JWT", headers: { authorizationHeader("Bearer \($0.jwt(["exp": Int(Date().timeIntervalSince1970) - 3600]))") },
        .refused(status: 401, wwwAuthenticate: challenge("invalid_token", "the token has expired"))),
    AdmitCase(
        "a JWT for another resource", headers: { authorizationHeader("Bearer \($0.jwt(["aud": "https://other.example.com/mcp"]))") },
        .refused(status: 401, wwwAuthenticate: challenge("invalid_token", "the token was not issued for this resource"))),
    AdmitCase(
        "a JWT from an unknown issuer", headers: { authorizationHeader("Bearer \($0.jwt(issuer: "https://evil.example.com"))") },
        .refused(status: 401, wwwAuthenticate: challenge("invalid_token", "the token issuer is not trusted by this server"))),
    AdmitCase(
        "a JWT without the required scope", headers: { authorizationHeader("Bearer \($0.jwt(["scope": "tools:call"]))") },
        .refused(status: 403, wwwAuthenticate: challenge("insufficient_scope", "this server needs scope mcp"))),
]

@Suite struct AuthGateTests {
    @Test(arguments: bearerCases)
    func admitDecidesExactlyAsSpecified(_ testCase: AdmitCase) async throws {
        try await withGate { gate, credentials in
            let headers = testCase.headers(credentials)
            let decision = await gate.admit(requestHead(path: testCase.path, headers), peer: try peer(testCase.peer))
            #expect(decision.verdict == testCase.expected(credentials))
            if let refusal = decision.refusal {
                expectRefusalBody(refusal)
                // The credential never comes back, in a header or in the JSON-RPC error.
                let secrets = headers.map { $0.1.split(separator: " ").dropFirst().joined(separator: " ") }
                    + (testCase.path.split(separator: "=").dropFirst().map(String.init))
                for secret in secrets where secret.count >= 8 {
                    for field in refusal.headers { #expect(!field.value.contains(secret), "\(field.name) repeats the credential") }
                    #expect(!refusal.error.message.contains(secret), "the error message repeats the credential")
                }
            }
        }
    }

    /// The JSON-RPC error in the body of a refusal says the same thing as the status.
    func expectRefusalBody(_ refusal: GateRefusal, sourceLocation: SourceLocation = #_sourceLocation) {
        let prefix = switch refusal.status.code {
        case 400: "Bad Request: "
        case 401: "Unauthorized: "
        case 403: "Forbidden: "
        default: "Service Unavailable: "
        }
        #expect(refusal.error.message.hasPrefix(prefix), "\(refusal.error.message)", sourceLocation: sourceLocation)
        if refusal.status.code != 503 {
            #expect(refusal.error.code == .invalidRequest, sourceLocation: sourceLocation)
        }
    }

    @Test func aRefusalWithoutErrorCodeTellsTheClientHowToAuthenticate() async throws {
        try await withGate { gate, _ in
            let refusal = try #require(await gate.admit(requestHead([]), peer: try peer("127.0.0.1")).refusal)
            #expect(refusal.error.message == "Unauthorized: send Authorization: Bearer <token>")
            #expect(Array(refusal.headers).map(\.name) == [.wwwAuthenticate])
        }
    }

    @Test func descriptionsKeepNonASCIIOutOfTheHeaderButNotOutOfTheBody() async throws {
        try await withGate { gate, _ in
            let refusal = try #require(await gate.admit(requestHead(authorizationHeader("Bearer a b")), peer: nil).refusal)
            #expect(refusal.error.message == "Bad Request: the bearer token has characters outside token68 (RFC 6750 §2.1)")
            let header = try #require(refusal.headers[.wwwAuthenticate])
            #expect(header.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) })
        }
    }

    @Test func anIssuerThatCannotBeReachedIs503WithRetryAfterAndNoChallenge() async throws {
        try await withGate { gate, credentials in
            let token = credentials.jwt(issuer: credentials.downIssuer)
            let refusal = try #require(await gate.admit(requestHead(authorizationHeader("Bearer \(token)")), peer: nil).refusal)
            #expect(refusal.status == .serviceUnavailable)
            #expect(refusal.headers == [.retryAfter: "5"])
            #expect(refusal.error.code == .internalError)
            #expect(refusal.error.message == "Service Unavailable: the key set of the token issuer could not be fetched")
            #expect(!refusal.error.message.contains(token))
        }
    }

    @Test func aVerifiedTokenIsAdmittedAgainFromTheCache() async throws {
        try await withGate { gate, credentials in
            let token = credentials.jwt()
            for _ in 0..<3 {
                let verdict = await gate.admit(requestHead(authorizationHeader("Bearer \(token)")), peer: nil).verdict
                #expect(verdict == .admitted(Principal(id: credentials.issuer + "#alice", scopes: ["mcp", "tools:call"])))
            }
        }
    }

    static let items: [(item: AccessPolicy.Item, required: [String], description: String, scope: String)] = [
        (.tool("deploy"), ["mcp", "ops"], "tool 'deploy' needs scope mcp ops", "mcp ops"),
        (.prompt("review"), ["mcp", "prompts:review"], "prompt 'review' needs scope mcp prompts:review", "mcp prompts:review"),
        (.resource("files://docs/a.md"), ["docs"], "resource 'files://docs/a.md' needs scope docs", "docs"),
        // Characters a quoted-string cannot hold are left out of the header, never escaped into it.
        (.resource("files://docs/\"quoted\"\\caf\u{E9}.md"), ["docs"], "resource 'files://docs/quotedcaf.md' needs scope docs", "docs"),
    ]

    @Test("insufficientScope names the item and every scope it needs", arguments: items)
    func insufficientScopeNamesTheItemAndItsScopes(_ item: AccessPolicy.Item, _ required: [String], _ description: String, _ scope: String) async throws {
        try await withGate { gate, _ in
            let refusal = gate.insufficientScope(for: item, required: required)
            #expect(refusal.status == .forbidden)
            #expect(refusal.headers[.wwwAuthenticate] == challenge("insufficient_scope", description, scope: scope))
            #expect(Array(refusal.headers).count == 1)
            #expect(refusal.error.code == .invalidRequest)
            #expect(refusal.error.message.hasPrefix("Forbidden: "))
            #expect(refusal.error.message.hasSuffix("needs scope \(required.joined(separator: " "))"))
        }
    }
}
