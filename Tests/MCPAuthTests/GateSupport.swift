import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MCPAuth
import MCPCore
import MCPHTTP
import NIOCore
import PorticoConfig
import Testing

/// The resource every gate test protects, and where its metadata is.
let gateResource = "https://mcp.example.com/mcp"
let gateMetadataURL = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"

/// `WWW-Authenticate` of a 401 for a request without a (bearer) credential.
let plainChallenge = #"Bearer resource_metadata="\#(gateMetadataURL)", scope="mcp""#

/// `WWW-Authenticate` with an error code and description.
func challenge(_ error: String, _ description: String, scope: String = "mcp") -> String {
    #"Bearer error="\#(error)", error_description="\#(description)", resource_metadata="\#(gateMetadataURL)", scope="\#(scope)""#
}

/// API keys the gate's configuration lists (by hash), made once.
enum GateKeys {
    /// Scopes `mcp tools:call`, named `ci`.
    static let full = APIKeyEntry.newKey()
    /// Scope `tools:call` only, named `narrow`.
    static let narrow = APIKeyEntry.newKey()
}

/// What a test can present: the running issuer and tokens from it.
struct Credentials: Sendable {
    let issuer: String
    /// An issuer whose key set cannot be fetched (the server answers 500).
    let downIssuer: String

    /// A JWT from ``issuer`` signed with the published RSA key; `changes` override claims, `nil` removes one.
    func jwt(_ changes: [String: (any Sendable)?] = [:], issuer: String? = nil) -> String {
        let now = Int(Date().timeIntervalSince1970)
        var claims: [String: any Sendable] = [
            "iss": issuer ?? self.issuer, "sub": "alice", "aud": gateResource, "exp": now + 600, "iat": now, "scope": "mcp tools:call",
        ]
        for (name, value) in changes { claims[name] = value }
        return Mint.token(claims, key: Keys.rsa)
    }
}

/// How a gate decided, in a form tests can compare.
enum Verdict: Equatable, CustomStringConvertible {
    case admitted(Principal?)
    case refused(status: Int, wwwAuthenticate: String?)

    var description: String {
        switch self {
        case .admitted(let principal?): "admitted \(principal.id) \(principal.scopes.sorted())"
        case .admitted(nil): "admitted anonymously"
        case .refused(let status, let challenge): "refused \(status) \(challenge ?? "without WWW-Authenticate")"
        }
    }
}

extension GateDecision {
    var verdict: Verdict {
        switch self {
        case .admit(let principal): .admitted(principal)
        case .refuse(let refusal): .refused(status: refusal.status.code, wwwAuthenticate: refusal.headers[.wwwAuthenticate])
        }
    }

    var refusal: GateRefusal? {
        if case .refuse(let refusal) = self { return refusal }
        return nil
    }
}

/// A request head as the endpoint hands it to the gate.
func requestHead(path: String = "/mcp", _ fields: [(String, String)]) -> HTTPRequest {
    var headers = HTTPFields()
    for (name, value) in fields {
        headers.append(HTTPField(name: HTTPField.Name(name)!, value: value))
    }
    return HTTPRequest(method: .post, scheme: "https", authority: "mcp.example.com", path: path, headerFields: headers)
}

func peer(_ address: String?) throws -> SocketAddress? {
    try address.map { try SocketAddress(ipAddress: $0, port: 41_234) }
}

let quietGateLogger: Logger = {
    var logger = Logger(label: "auth-gate-test")
    logger.logLevel = .critical
    return logger
}()

/// The `auth:` section the gate tests use: resource, `required_scopes: [mcp]`, two API keys,
/// two issuers on the test authorization server, and two certificate subjects.
func gateAuth(base: String, trustEdge: Bool, trustedProxies: [String] = ["127.0.0.1", "::1"]) -> PorticoConfiguration.Auth {
    typealias Auth = PorticoConfiguration.Auth
    return Auth(
        enabled: true,
        resource: gateResource,
        requiredScopes: ["mcp"],
        issuers: [
            Auth.Issuer(issuer: base + "/tenant", jwksURL: base + "/jwks"),
            Auth.Issuer(issuer: base + "/down", jwksURL: base + "/down/jwks"),
        ],
        apiKeys: [
            Auth.APIKey(name: "ci", hash: APIKeyEntry.makeHash(of: GateKeys.full), scopes: ["mcp", "tools:call"]),
            Auth.APIKey(name: "narrow", hash: APIKeyEntry.makeHash(of: GateKeys.narrow), scopes: ["tools:call"]),
        ],
        clientCertificates: Auth.ClientCertificates(trustedProxies: trustedProxies, principals: [
            Auth.CertificatePrincipal(subject: "CN=bot", scopes: ["mcp"]),
            Auth.CertificatePrincipal(subject: "CN=reader", scopes: ["read"]),
        ]),
        edge: Auth.EdgeOffload(trustEdge: trustEdge))
}

/// Runs `body` with a gate made by `AuthGate.make` from ``gateAuth(base:trustEdge:)``, whose
/// issuer's key set is served by a real ``TestAuthServer`` on 127.0.0.1.
func withGate(
    trustEdge: Bool = false, trustedProxies: [String] = ["127.0.0.1", "::1"], _ body: (AuthGate, Credentials) async throws -> Void
) async throws {
    try await TestAuthServer.with { server in
        server.serveJWKS([Keys.rsa])
        server.serve("/down/jwks", status: 500, json: #"{"error":"server_error"}"#)
        let configuration = PorticoConfiguration(auth: gateAuth(base: server.base, trustEdge: trustEdge, trustedProxies: trustedProxies))
        #expect(configuration.validate().isEmpty, "\(configuration.validate())")
        let gate = try #require(try AuthGate.make(configuration: configuration, environment: { _ in nil }, logger: quietGateLogger))
        try await body(gate, Credentials(issuer: server.base + "/tenant", downIssuer: server.base + "/down"))
    }
}
