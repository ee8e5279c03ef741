import PorticoConfig
import Testing

struct UnknownKeyTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var yaml: String
        var keyPath: String
        var line: Int
        var hint: String
        var testDescription: String { keyPath }
    }

    static let cases: [Case] = [
        Case(yaml: "server:\n  prot: 1\n", keyPath: "server.prot", line: 2, hint: "did you mean 'port'?"),
        Case(yaml: "# header\nlmits:\n  page_size: 5\n", keyPath: "lmits", line: 2, hint: "did you mean 'limits'?"),
        Case(
            yaml: "server:\n  publicUrl: https://mcp.example.com\n",
            keyPath: "server.publicUrl", line: 2, hint: "did you mean 'public_url'?"
        ),
        Case(
            yaml: "server:\n  allowed-origins: []\n",
            keyPath: "server.allowed-origins", line: 2, hint: "did you mean 'allowed_origins'?"
        ),
        Case(yaml: "logging:\n  levle: debug\n", keyPath: "logging.levle", line: 2, hint: "did you mean 'level'?"),
        Case(yaml: "tools:\n  pack: [demo]\n", keyPath: "tools.pack", line: 2, hint: "did you mean 'packs'?"),
        Case(
            yaml: "server:\n  port: 1\n  page_size: 5\n",
            keyPath: "server.page_size", line: 3, hint: "did you mean 'limits.page_size'?"
        ),
        Case(yaml: "port: 8080\n", keyPath: "port", line: 1, hint: "did you mean 'server.port'?"),
        Case(
            yaml: "server:\n  frobnicate: true\n",
            keyPath: "server.frobnicate", line: 2, hint: "expected one of: host, port, path, public_url"
        ),
        Case(yaml: "8080: yes\n", keyPath: "8080", line: 1, hint: "expected one of: server, limits, logging, tools"),
    ]

    @Test(arguments: cases)
    func unknownKeysNameTheFullPathAndSuggestTheClosestKey(_ testCase: Case) {
        let reported = issues(in: testCase.yaml)
        #expect(reported.count == 1, "\(reported)")
        #expect(reported.first?.keyPath == testCase.keyPath)
        #expect(reported.first?.line == testCase.line)
        #expect(reported.first?.message.hasPrefix("unknown key") == true)
        #expect(reported.first?.message.contains(testCase.hint) == true, "\(reported.first?.message ?? "")")
    }

    @Test func unknownKeysDoNotHideOtherProblems() {
        let reported = issues(in: "server:\n  prot: 1\n  port: 70000\n")
        #expect(reported.map(\.keyPath) == ["server.prot", "server.port"])
    }
}
