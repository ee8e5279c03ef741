import PorticoConfig
import Testing

struct ErrorReportingTests {
    static let manyProblems = """
        server:
          port: "abc"
          path: mcp
          prot: 1
        limits:
          page_size: 0
        lmits: {}
        logging:
          level: loud
        tools:
          packs: demo
        """

    @Test func everyProblemIsReportedInLineOrder() {
        let reported = issues(in: Self.manyProblems)
        #expect(reported.map(\.keyPath) == [
            "server.port", "server.path", "server.prot", "limits.page_size", "lmits", "logging.level", "tools.packs",
        ])
        #expect(reported.map(\.line) == [2, 3, 4, 6, 7, 9, 11])
    }

    @Test func descriptionListsOneLocatedIssuePerLine() throws {
        let error = #expect(throws: ConfigError.self) {
            try PorticoConfiguration.decode(yaml: "server:\n  port: 70000\n  prot: 1\n", source: "portico.yaml")
        }
        #expect(error?.source == "portico.yaml")
        #expect(error?.description == """
            portico.yaml:2: server.port: must be between 0 and 65535, got 70000
            portico.yaml:3: server.prot: unknown key 'prot'; did you mean 'port'?
            """)
    }

    @Test func defaultSourceLabelIsUsedForStrings() {
        let error = #expect(throws: ConfigError.self) {
            try PorticoConfiguration.decode(yaml: "limits:\n  page_size: 0\n")
        }
        #expect(error?.description == "<string>:2: limits.page_size: must be between 1 and 1000, got 0")
    }

    @Test(arguments: [
        (ConfigIssue(keyPath: "server.port", line: 4, message: "bad"), "portico.yaml:4: server.port: bad"),
        (ConfigIssue(keyPath: "server.port", line: nil, message: "bad"), "portico.yaml: server.port: bad"),
        (ConfigIssue(keyPath: "", line: 7, message: "invalid YAML"), "portico.yaml:7: invalid YAML"),
    ])
    func issuesFormatAsFileLineKeyMessage(issue: ConfigIssue, expected: String) {
        #expect(ConfigError(source: "portico.yaml", issues: [issue]).description == expected)
    }
}
