import PorticoConfig
import Testing

struct BadConfigTests {
    typealias Case = BadConfigCase

    static let cases: [Case] = [
        // Values that decode but cannot work.
        Case(yaml: "server:\n  port: 70000\n", keyPath: "server.port", line: 2, fragment: "between 0 and 65535"),
        Case(yaml: "server:\n  port: -1\n", keyPath: "server.port", line: 2, fragment: "between 0 and 65535"),
        Case(yaml: "server:\n  path: mcp\n", keyPath: "server.path", line: 2, fragment: "must start with '/'"),
        Case(yaml: "server:\n  path: /mcp/\n", keyPath: "server.path", line: 2, fragment: "must not end with '/'"),
        Case(yaml: "server:\n  path: /mcp?x=1\n", keyPath: "server.path", line: 2, fragment: "query"),
        Case(yaml: "server:\n  path: /a//b\n", keyPath: "server.path", line: 2, fragment: "empty segments"),
        Case(yaml: "server:\n  host: http://0.0.0.0\n", keyPath: "server.host", line: 2, fragment: "is not a host"),
        Case(yaml: "server:\n  host: ''\n", keyPath: "server.host", line: 2, fragment: "has no host name"),
        Case(
            yaml: "server:\n  public_url: https://mcp.example.com/mcp?token=1\n",
            keyPath: "server.public_url", line: 2, fragment: "must not have a query"
        ),
        Case(
            yaml: "server:\n  public_url: https://mcp.example.com/mcp#top\n",
            keyPath: "server.public_url", line: 2, fragment: "must not have a fragment"
        ),
        Case(yaml: "server:\n  public_url: /mcp\n", keyPath: "server.public_url", line: 2, fragment: "absolute http(s) URL"),
        Case(
            yaml: "server:\n  public_url: ftp://files.example.com/mcp\n",
            keyPath: "server.public_url", line: 2, fragment: "absolute http(s) URL"
        ),
        Case(
            yaml: "server:\n  allowed_origins: [https://ok.example.com, not a url]\n",
            keyPath: "server.allowed_origins[1]", line: 2, fragment: "is not an origin"
        ),
        Case(
            yaml: "server:\n  allowed_origins:\n    - https://ok.example.com\n\n    - https://app.example.com/\n",
            keyPath: "server.allowed_origins[1]", line: 5, fragment: "write 'https://app.example.com'"
        ),
        Case(
            yaml: "server:\n  allowed_origins: [ftp://files.example.com]\n",
            keyPath: "server.allowed_origins[0]", line: 2, fragment: "must use http or https"
        ),
        Case(
            yaml: "server:\n  allowed_origins: ['https://app.example.com:99999']\n",
            keyPath: "server.allowed_origins[0]", line: 2, fragment: "invalid port"
        ),
        Case(
            yaml: "server:\n  allowed_hosts:\n    - https://mcp.example.com/mcp\n",
            keyPath: "server.allowed_hosts[0]", line: 3, fragment: "such as 'mcp.example.com'"
        ),
        Case(
            yaml: "server:\n  allowed_hosts: ['mcp.example.com:0']\n",
            keyPath: "server.allowed_hosts[0]", line: 2, fragment: "invalid port"
        ),
        Case(
            yaml: "server:\n  allowed_hosts: ['::1']\n",
            keyPath: "server.allowed_hosts[0]", line: 2, fragment: "brackets"
        ),
        Case(
            yaml: "server:\n  drain_timeout_seconds: -1\n",
            keyPath: "server.drain_timeout_seconds", line: 2, fragment: "0 or more"
        ),
        Case(yaml: "limits:\n  page_size: 0\n", keyPath: "limits.page_size", line: 2, fragment: "between 1 and 1000"),
        Case(yaml: "limits:\n  page_size: 1001\n", keyPath: "limits.page_size", line: 2, fragment: "between 1 and 1000"),
        Case(
            yaml: "limits:\n  max_body_bytes: 0\n",
            keyPath: "limits.max_body_bytes", line: 2, fragment: "greater than 0"
        ),
        Case(yaml: "limits:\n  max_sessions: -3\n", keyPath: "limits.max_sessions", line: 2, fragment: "greater than 0"),
        Case(
            yaml: "limits:\n  session_idle_timeout_seconds: 0\n",
            keyPath: "limits.session_idle_timeout_seconds", line: 2, fragment: "greater than 0"
        ),
        Case(
            yaml: "tools:\n  packs: [demo, conformance, demo]\n",
            keyPath: "tools.packs[2]", line: 2, fragment: "listed more than once"
        ),
        // Values of the wrong type.
        Case(yaml: "server:\n  port: \"abc\"\n", keyPath: "server.port", line: 2, fragment: "expected an integer, got 'abc'"),
        Case(yaml: "server:\n  port: [80]\n", keyPath: "server.port", line: 2, fragment: "expected an integer, got a list"),
        Case(yaml: "limits:\n  max_body_bytes: 1.5\n", keyPath: "limits.max_body_bytes", line: 2, fragment: "expected an integer"),
        Case(
            yaml: "server:\n  allowed_origins: https://app.example.com\n",
            keyPath: "server.allowed_origins", line: 2, fragment: "write it as a list: [https://app.example.com]"
        ),
        Case(
            yaml: "server:\n  allowed_hosts: [[a]]\n",
            keyPath: "server.allowed_hosts[0]", line: 2, fragment: "expected a string"
        ),
        Case(yaml: "tools:\n  packs: demo\n", keyPath: "tools.packs", line: 2, fragment: "expected a list of tool packs"),
        Case(
            yaml: "tools:\n  packs:\n    - demo\n    - bogus\n",
            keyPath: "tools.packs[1]", line: 4, fragment: "'bogus' is not a tool pack"
        ),
        Case(
            yaml: "logging:\n  level: infoo\n",
            keyPath: "logging.level", line: 2, fragment: "did you mean 'info'?"
        ),
        Case(yaml: "logging:\n  format: xml\n", keyPath: "logging.format", line: 2, fragment: "expected one of: text, json"),
        Case(yaml: "server: 8080\n", keyPath: "server", line: 1, fragment: "expected a mapping of server settings"),
        Case(yaml: "limits: [1, 2]\n", keyPath: "limits", line: 1, fragment: "got a list"),
        // Problems with the document itself.
        Case(yaml: "- server\n", keyPath: "", line: 1, fragment: "expected a mapping with the sections"),
        Case(yaml: "server:\n  port: [1, 2\n", keyPath: "", line: 3, fragment: "invalid YAML"),
        Case(yaml: "server:\n  port: 1\n  port: 2\n", keyPath: "", line: 2, fragment: "duplicate key 'port'"),
        Case(yaml: "server:\n  ? [a]\n  : 1\n", keyPath: "server", line: 2, fragment: "keys must be plain words"),
    ]

    @Test(arguments: cases)
    func badConfigurationsReportTheKeyPathAndLine(_ testCase: Case) {
        testCase.expectSingleIssue()
    }
}
