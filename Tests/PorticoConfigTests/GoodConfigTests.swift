import PorticoConfig
import Testing

struct GoodConfigTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var yaml: String
        var expected: PorticoConfiguration
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "one key keeps the rest of its section at defaults",
            yaml: "server:\n  port: 9000\n",
            expected: PorticoConfiguration(server: .init(port: 9000))
        ),
        Case(
            name: "port zero asks for an ephemeral port",
            yaml: "server:\n  port: 0\n",
            expected: PorticoConfiguration(server: .init(port: 0))
        ),
        Case(
            name: "root path is allowed",
            yaml: "server:\n  path: /\n",
            expected: PorticoConfiguration(server: .init(path: "/"))
        ),
        Case(
            name: "nested path and public URL with port",
            yaml: "server:\n  path: /api/mcp\n  public_url: https://mcp.example.com:8443/api/mcp\n",
            expected: PorticoConfiguration(
                server: .init(path: "/api/mcp", publicURL: "https://mcp.example.com:8443/api/mcp")
            )
        ),
        Case(
            name: "origins and hosts in block and flow lists",
            yaml: """
                server:
                  host: 0.0.0.0
                  allowed_origins:
                    - https://app.example.com
                    - http://localhost:3000
                    - http://[::1]:5173
                  allowed_hosts: [mcp.example.com, "mcp.example.com:8443", "[::1]:8080"]
                """,
            expected: PorticoConfiguration(server: .init(
                host: "0.0.0.0",
                allowedOrigins: ["https://app.example.com", "http://localhost:3000", "http://[::1]:5173"],
                allowedHosts: ["mcp.example.com", "mcp.example.com:8443", "[::1]:8080"]
            ))
        ),
        Case(
            name: "wildcards are accepted when quoted",
            yaml: "server:\n  allowed_origins: [\"*\"]\n  allowed_hosts: ['*']\n",
            expected: PorticoConfiguration(server: .init(allowedOrigins: ["*"], allowedHosts: ["*"]))
        ),
        Case(
            name: "IPv6 listen host",
            yaml: "server:\n  host: '::'\n",
            expected: PorticoConfiguration(server: .init(host: "::"))
        ),
        Case(
            name: "limits at their boundaries",
            yaml: "limits:\n  max_body_bytes: 1\n  max_sessions: 1\n  session_idle_timeout_seconds: 1\n  page_size: 1000\n",
            expected: PorticoConfiguration(limits: .init(
                maxBodyBytes: 1, maxSessions: 1, sessionIdleTimeoutSeconds: 1, pageSize: 1000
            ))
        ),
        Case(
            name: "zero drain timeout closes immediately",
            yaml: "server:\n  drain_timeout_seconds: 0\n",
            expected: PorticoConfiguration(server: .init(drainTimeoutSeconds: 0))
        ),
        Case(
            name: "every log level and format word",
            yaml: "logging:\n  level: critical\n  format: json\n",
            expected: PorticoConfiguration(logging: .init(level: .critical, format: .json))
        ),
        Case(
            name: "several tool packs in order",
            yaml: "tools:\n  packs:\n    - conformance\n    - demo\n",
            expected: PorticoConfiguration(tools: .init(packs: [.conformance, .demo]))
        ),
        Case(
            name: "an empty pack list disables tools",
            yaml: "tools:\n  packs: []\n",
            expected: PorticoConfiguration(tools: .init(packs: []))
        ),
        Case(
            name: "anchors and aliases are resolved",
            yaml: "server:\n  allowed_hosts: &hosts [a.example.com]\n  allowed_origins: []\nlimits:\n  page_size: &n 50\n  max_sessions: *n\n",
            expected: PorticoConfiguration(
                server: .init(allowedHosts: ["a.example.com"]),
                limits: .init(maxSessions: 50, pageSize: 50)
            )
        ),
    ]

    @Test(arguments: cases)
    func validConfigurationsDecodeToTheExpectedValues(_ testCase: Case) throws {
        #expect(try PorticoConfiguration.decode(yaml: testCase.yaml) == testCase.expected)
    }
}
