import PorticoConfig
import Testing

/// Decodes `yaml` expecting failure and returns the reported issues (empty, with a recorded failure, if none).
func issues(in yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> [ConfigIssue] {
    let error = #expect(throws: ConfigError.self, sourceLocation: sourceLocation) {
        try PorticoConfiguration.decode(yaml: yaml)
    }
    return error?.issues ?? []
}

/// One bad file and the single issue it must produce.
struct BadConfigCase: Sendable, CustomTestStringConvertible {
    var yaml: String
    var keyPath: String
    var line: Int?
    var fragment: String
    var testDescription: String { "\(keyPath.isEmpty ? "<document>" : keyPath): \(fragment)" }

    /// Expects exactly one issue, at the case's key path and line, whose message contains the fragment.
    func expectSingleIssue(sourceLocation: SourceLocation = #_sourceLocation) {
        let reported = issues(in: yaml, sourceLocation: sourceLocation)
        #expect(reported.count == 1, "\(reported)", sourceLocation: sourceLocation)
        let issue = reported.first
        #expect(issue?.keyPath == keyPath, sourceLocation: sourceLocation)
        #expect(issue?.line == line, sourceLocation: sourceLocation)
        #expect(issue?.message.contains(fragment) == true, "\(issue?.message ?? "no issue")", sourceLocation: sourceLocation)
    }
}
