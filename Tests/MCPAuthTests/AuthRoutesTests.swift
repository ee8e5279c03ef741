import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import MCPAuth
import MCPCore
import MCPHTTP
import NIOCore
import NIOHTTP1
import Testing

/// `AuthRoutes` served by a real Hummingbird app on 127.0.0.1, asked over HTTP: the
/// protected-resource metadata and the verdicts nginx's `auth_request` gets.
@Suite struct AuthRoutesTests {
    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    /// Runs `body` with the gate of ``withGate`` behind `AuthRoutes`, and a function that GETs a path from it.
    func withRoutes(
        trustedProxies: [String] = ["127.0.0.1", "::1"],
        _ body: (_ get: (String, [(String, String)]) async throws -> Reply, Credentials) async throws -> Void
    ) async throws {
        try await withGate(trustedProxies: trustedProxies) { gate, credentials in
            let router = Router(context: MCPRequestContext.self)
            AuthRoutes<MCPRequestContext>(gate: gate, edgeCacheSeconds: 10).register(on: router)
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            let app = Application(
                responder: router.buildResponder(),
                configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in
                    continuation.yield(channel.localAddress?.port ?? 0)
                    continuation.finish()
                },
                logger: quietGateLogger)
            let running = Task { try await app.run() }
            defer { running.cancel() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            try await body({ path, headers in
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
                for (name, value) in headers { request.headers.add(name: name, value: value) }
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                let bytes = try await response.body.collect(upTo: 1 << 20)
                var fields: [String: String] = [:]
                for header in response.headers { fields[header.name.lowercased(), default: ""] += header.value }
                return Reply(status: Int(response.status.code), headers: fields, body: String(buffer: bytes))
            }, credentials)
        }
    }

    @Test(arguments: ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"])
    func theMetadataIsServedAtBothWellKnownPaths(_ path: String) async throws {
        try await withRoutes { get, credentials in
            let reply = try await get(path, [])
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == "application/json")
            #expect(reply.headers["cache-control"] == "public, max-age=3600")
            #expect(reply.headers["access-control-allow-origin"] == "*")
            let document = try #require(try JSONParser.parse(reply.body).objectValue)
            #expect(Set(document.keys) == ["resource", "authorization_servers", "bearer_methods_supported", "scopes_supported", "resource_name"])
            #expect(document["resource"] == .string(gateResource))
            #expect(document["authorization_servers"] == .array([.string(credentials.issuer), .string(credentials.downIssuer)]))
            #expect(document["bearer_methods_supported"] == ["header"])
            // No scopes_supported in the file: every scope it mentions, once, in file order.
            #expect(document["scopes_supported"] == ["mcp", "tools:call", "read"])
            #expect(document["resource_name"] == "Portico")
        }
    }

    static let subrequest = [("X-Original-Method", "POST"), ("X-Original-URI", "/mcp")]

    /// What nginx is told: 204 with a principal, 204 without one (the app answers), or 401 with its challenge.
    enum EdgeAnswer: Equatable {
        case principal(String, scopes: String)
        case leftToTheApp
        case unauthorized(String)
    }

    struct EdgeCase: Sendable, CustomTestStringConvertible {
        var name: String
        var headers: @Sendable (Credentials) -> [(String, String)]
        var expected: EdgeAnswer
        var testDescription: String { name }
    }

    static let edgeCases: [EdgeCase] = [
        EdgeCase(name: "a good API key", headers: { _ in subrequest + [("Authorization", "Bearer \(GateKeys.full)")] }, expected: .principal("key:ci", scopes: "mcp tools:call")),
        EdgeCase(name: "a good JWT", headers: { subrequest + [("Authorization", "Bearer \($0.jwt())")] }, expected: .principal("ISSUER#alice", scopes: "mcp tools:call")),
        EdgeCase(name: "a verified certificate", headers: { _ in subrequest + verifiedBotHeaders }, expected: .principal("cert:CN=bot", scopes: "mcp")),
        EdgeCase(name: "no credential", headers: { _ in subrequest }, expected: .unauthorized(plainChallenge)),
        EdgeCase(
            name: "an unknown API key", headers: { _ in subrequest + [("Authorization", "Bearer \(APIKeyEntry.newKey())")] },
            expected: .unauthorized(challenge("invalid_token", "the API key is not known to this server"))),
        // Everything the app words better is let through without a principal.
        EdgeCase(name: "a key without the required scope", headers: { _ in subrequest + [("Authorization", "Bearer \(GateKeys.narrow)")] }, expected: .leftToTheApp),
        EdgeCase(name: "a malformed Authorization header", headers: { _ in subrequest + [("Authorization", "Bearer a b")] }, expected: .leftToTheApp),
        EdgeCase(name: "a token in the original URI", headers: { _ in [("X-Original-Method", "GET"), ("X-Original-URI", "/mcp?access_token=abc")] }, expected: .leftToTheApp),
        EdgeCase(name: "an issuer that cannot be reached", headers: { subrequest + [("Authorization", "Bearer \($0.jwt(issuer: $0.downIssuer))")] }, expected: .leftToTheApp),
        EdgeCase(name: "a CORS preflight", headers: { _ in [("X-Original-Method", "OPTIONS"), ("X-Original-URI", "/mcp")] }, expected: .leftToTheApp),
        // The subrequest's own identity headers are blanked by nginx; a forged one is not a verdict without trust_edge.
        EdgeCase(name: "a forged principal header", headers: { _ in subrequest + [("X-Portico-Principal", "admin"), ("X-Portico-Scopes", "mcp")] }, expected: .unauthorized(plainChallenge)),
    ]

    @Test(arguments: edgeCases)
    func theEdgeIsToldWhoIsCallingOrToRefuse(_ testCase: EdgeCase) async throws {
        try await withRoutes { get, credentials in
            let reply = try await get(AuthRoutes<MCPRequestContext>.edgePath, testCase.headers(credentials))
            let answer: EdgeAnswer? = switch reply.status {
            case 204 where reply.headers["x-portico-principal"] != nil:
                .principal(
                    reply.headers["x-portico-principal"]!.replacingOccurrences(of: credentials.issuer, with: "ISSUER"),
                    scopes: reply.headers["x-portico-scopes"] ?? "")
            case 204: .leftToTheApp
            case 401: .unauthorized(reply.headers["www-authenticate"] ?? "")
            default: nil
            }
            #expect(answer == testCase.expected, "status \(reply.status) \(reply.headers)")
        }
    }

    @Test func onlyTrustedProxiesMayAskForAVerdict() async throws {
        try await withRoutes(trustedProxies: ["10.9.9.9"]) { get, _ in
            let reply = try await get(AuthRoutes<MCPRequestContext>.edgePath, Self.subrequest + [("Authorization", "Bearer \(GateKeys.full)")])
            #expect(reply.status == 404)
            #expect(reply.headers["x-portico-principal"] == nil)
            // The metadata is public all the same.
            #expect(try await get("/.well-known/oauth-protected-resource/mcp", []).status == 200)
        }
    }
}
