/// Thrown when a configuration cannot be used; carries every issue so one run shows everything to fix.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file name (or the `source` label given to ``PorticoConfiguration/decode(yaml:source:)``).
    public var source: String
    /// All problems found, ordered by line.
    public var issues: [ConfigIssue]

    /// Creates an error for `issues` found in `source`.
    public init(source: String, issues: [ConfigIssue]) {
        self.source = source
        self.issues = issues
    }

    /// One `<file>:<line>: <key.path>: <message>` line per issue.
    public var description: String {
        issues.map { $0.formatted(source: source) }.joined(separator: "\n")
    }
}
