import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// The HTTP client of the probes: it connects to 127.0.0.1 on the edge's local port and sends
/// the public Host header and SNI, so nginx and the app see what a real client sends.
///
/// Certificates are not verified here: a bad certificate is the `certificate` check's finding,
/// and must not hide what the other checks would find behind it. HTTP/1.1 only, so the Host
/// header reaches the app exactly as written (`proxy_set_header Host $http_host`).
final class DoctorHTTP: Sendable {
    let client: HTTPClient
    let target: DoctorTarget

    /// Why a probe request got no reply; `description` is the client's own error text.
    struct Failure: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: String
    }

    init(target: DoctorTarget) {
        self.target = target
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        // The singleton configuration is the one with decompression on (gzip'd SSE must still be
        // readable event by event); the rest is overridden.
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.tlsConfiguration = tls
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        configuration.httpVersion = .http1Only
        configuration.dnsOverride = [target.host: "127.0.0.1"]
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// The URL to request `path` at: the public host name (resolved to 127.0.0.1 by the
    /// override) on the edge's local port. An IP literal host is replaced by 127.0.0.1.
    func url(_ path: String) -> String {
        let host = URLParts.isIPLiteral(target.host) ? "127.0.0.1" : target.host
        return "\(target.scheme)://\(host):\(target.port)\(path)"
    }

    func request(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: String? = nil) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url(path))
        request.method = method
        request.headers.add(name: "Host", value: target.authority)
        request.headers.add(name: "User-Agent", value: "portico-doctor")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        return request
    }

    /// One request read to its end (bodies are capped: probes only read small replies whole).
    func send(_ request: HTTPClientRequest, timeout: TimeAmount = .seconds(10)) async throws(Failure) -> Reply {
        do {
            let response = try await client.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: 1 << 20)
            return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: body))
        } catch {
            throw Failure(description: "\(error)")
        }
    }

    /// The headers of an MCP request of the 2026-07-28 revision (stateless: no session needed).
    func mcpHeaders(method: String, name: String? = nil, extra: [(String, String)] = []) -> [(String, String)] {
        var headers = [
            ("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream"),
            ("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", method),
        ]
        if let name { headers.append(("Mcp-Name", name)) }
        if let token = target.token { headers.append(("Authorization", "Bearer \(token)")) }
        return headers + extra
    }

    /// A JSON-RPC request body with the 2026-07-28 `_meta` every stateless request carries.
    static func mcpBody(method: String, params: String, meta: String = "") -> String {
        let extra = meta.isEmpty ? "" : "," + meta
        let common = #""io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"portico-doctor","version":"1"}"#
        let inner = params.isEmpty ? "" : params + ","
        return #"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":{\#(inner)"_meta":{\#(common)\#(extra)}}}"#
    }

    func shutdown() async {
        try? await client.shutdown()
    }
}
