import PorticoConfig
import Testing

/// `validate()` on values built in code, as embedders and tests construct them.
struct ValidationTests {
    @Test(arguments: [
        "*", "https://app.example.com", "http://localhost:3000", "HTTPS://App.Example.com", "http://[::1]:8080",
        "http://127.0.0.1",
    ])
    func wellFormedOriginsAreAccepted(origin: String) {
        let configuration = PorticoConfiguration(server: .init(allowedOrigins: [origin]))
        #expect(configuration.validate().isEmpty)
    }

    @Test(arguments: [
        "not a url", "app.example.com", "https://", "https://app.example.com/path", "https://app.example.com?x",
        "https://user@app.example.com", "ws://app.example.com", "http://[::1", "https://a..b", "http://host:",
    ])
    func malformedOriginsAreRejectedAtTheirIndex(origin: String) {
        let configuration = PorticoConfiguration(server: .init(allowedOrigins: ["*", origin]))
        #expect(configuration.validate().map(\.keyPath) == ["server.allowed_origins[1]"])
        #expect(configuration.validate().first?.line == nil)
    }

    @Test(arguments: ["*", "localhost", "mcp.example.com", "mcp.example.com:8443", "127.0.0.1:8080", "[::1]", "[::1]:80"])
    func wellFormedHostEntriesAreAccepted(entry: String) {
        let configuration = PorticoConfiguration(server: .init(allowedHosts: [entry]))
        #expect(configuration.validate().isEmpty)
    }

    @Test(arguments: ["", "http://mcp.example.com", "mcp.example.com/mcp", "::1", "host:port", "a b", "*.example.com"])
    func malformedHostEntriesAreRejectedAtTheirIndex(entry: String) {
        let configuration = PorticoConfiguration(server: .init(allowedHosts: [entry]))
        #expect(configuration.validate().map(\.keyPath) == ["server.allowed_hosts[0]"])
    }

    @Test func everyInvalidFieldIsReported() {
        let configuration = PorticoConfiguration(
            server: .init(port: 65_536, path: "", publicURL: "mcp.example.com", drainTimeoutSeconds: -1),
            limits: .init(maxBodyBytes: 0, maxSessions: 0, sessionIdleTimeoutSeconds: 0, pageSize: 0),
            tools: .init(packs: [.demo, .demo])
        )
        #expect(configuration.validate().map(\.keyPath) == [
            "server.port", "server.path", "server.public_url", "server.drain_timeout_seconds",
            "limits.max_body_bytes", "limits.max_sessions", "limits.session_idle_timeout_seconds", "limits.page_size",
            "tools.packs[1]",
        ])
    }
}
