import PorticoConfig
import Testing

struct SourcesConfigTests {
    typealias Case = BadConfigCase

    static let stdio = "sources:\n  stdio:\n    - name: notes\n      command: [python, server.py]\n"
    static let command = "sources:\n  commands:\n    - name: wc\n      input_schema: {type: object, properties: {path: {type: string}}}\n"

    static let cases: [Case] = [
        Case(yaml: "sources:\n  stdio:\n    - command: [python]\n", keyPath: "sources.stdio[0].name", line: nil, fragment: "is required"),
        Case(yaml: "sources:\n  stdio:\n    - name: a b\n      command: [python]\n", keyPath: "sources.stdio[0].name", line: 3, fragment: "letters, digits"),
        Case(yaml: "sources:\n  stdio:\n    - name: notes\n", keyPath: "sources.stdio[0].command", line: nil, fragment: "is required"),
        Case(yaml: stdio + "      pool: 0\n", keyPath: "sources.stdio[0].pool", line: 5, fragment: "1 or more"),
        Case(yaml: stdio + "      mode: pooled\n", keyPath: "sources.stdio[0].mode", line: 5, fragment: "expected one of: shared, per-session"),
        Case(yaml: stdio + "      prefix: 'bad prefix'\n", keyPath: "sources.stdio[0].prefix", line: 5, fragment: "letters, digits"),
        Case(yaml: stdio + "      restart_backoff_max_seconds: 0.1\n", keyPath: "sources.stdio[0].restart_backoff_max_seconds", line: 5, fragment: "at least restart_backoff_seconds"),
        Case(yaml: stdio + "      comand: [x]\n", keyPath: "sources.stdio[0].comand", line: 5, fragment: "did you mean 'command'"),
        Case(yaml: stdio + "    - name: notes\n      command: [node, x.js]\n", keyPath: "sources.stdio[1]", line: 5, fragment: "already used by sources.stdio[0]"),
        Case(yaml: command + "      argv: [wc, '{{file}}']\n", keyPath: "sources.commands[0].argv", line: 5, fragment: "'{{file}}' is not a property of input_schema"),
        Case(yaml: command + "      argv: [wc, '{{path']\n", keyPath: "sources.commands[0].argv[1]", line: 5, fragment: "argv[1]"),
        Case(yaml: command + "      argv: ['{{path}}']\n", keyPath: "sources.commands[0].argv[0]", line: 5, fragment: "the program itself cannot come from an argument"),
        Case(yaml: command + "      argv: [wc]\n      output: yaml\n", keyPath: "sources.commands[0].output", line: 6, fragment: "expected one of: text, json"),
        Case(yaml: command + "      argv: [wc]\n      timeout_seconds: 0\n", keyPath: "sources.commands[0].timeout_seconds", line: 6, fragment: "1 or more"),
        Case(yaml: "sources:\n  commands:\n    - name: wc\n      input_schema: {type: string}\n      argv: [wc]\n", keyPath: "sources.commands[0].input_schema", line: 4, fragment: "type: object"),
        Case(
            yaml: "sources:\n  commands:\n    - name: search\n      argv: [grep]\n  files:\n    - name: docs\n      root: docs\n",
            keyPath: "sources.files[0].prefix", line: nil, fragment: "'search' of files source 'docs' clashes with command 'search'"),
        Case(
            yaml: "sources:\n  files:\n    - name: a\n      root: a\n    - name: b\n      root: b\n",
            keyPath: "sources.files[1].prefix", line: nil, fragment: "clashes with files source 'a'"),
        Case(yaml: "sources:\n  files:\n    - name: docs\n", keyPath: "sources.files[0].root", line: nil, fragment: "is required"),
        Case(yaml: "sources:\n  files:\n    - name: docs\n      root: d\n      base_url: docs.example.com\n", keyPath: "sources.files[0].base_url", line: 5, fragment: "http(s) URL"),
    ]

    @Test(arguments: cases)
    func badSourcesAreReportedWithKeyPathAndLine(_ testCase: Case) {
        testCase.expectSingleIssue()
    }

    @Test func aStdioSourceNeedsOnlyANameAndACommand() throws {
        let configuration = try PorticoConfiguration.decode(yaml: Self.stdio)
        #expect(configuration.validate().isEmpty)
        let source = try #require(configuration.sources.stdio.first)
        #expect(source.command == ["python", "server.py"])
        #expect(source.mode == .shared)
        #expect(source.pool == 1)
        #expect(source.required)
    }

    @Test func aCommandsInputSchemaKeepsItsYAMLShapeAndOrder() throws {
        let configuration = try PorticoConfiguration.decode(yaml: Self.command + "      argv: [wc, -w, '{{path}}']\n")
        #expect(configuration.validate().isEmpty)
        let schema = try #require(configuration.sources.commands.first?.inputSchema)
        guard case .object(let members) = schema else {
            Issue.record("input_schema is not an object: \(schema)")
            return
        }
        #expect(members.map(\.key) == ["type", "properties"])
        #expect(schema["properties"]?["path"]?["type"] == .string("string"))
    }
}
