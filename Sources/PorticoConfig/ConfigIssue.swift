/// One problem found in a configuration, located precisely enough for an operator to fix it without guessing.
public struct ConfigIssue: Error, Sendable, Equatable, CustomStringConvertible {
    /// Dotted path of the offending key, such as `server.port` or `tools.packs[1]`; empty for problems with
    /// the document as a whole (for example a YAML syntax error).
    public var keyPath: String
    /// 1-based line in the source file, or `nil` when the value did not come from a file (see
    /// ``PorticoConfiguration/validate()``) or the line is unknown.
    public var line: Int?
    /// What is wrong and, where possible, how to fix it.
    public var message: String

    /// Creates an issue.
    public init(keyPath: String, line: Int? = nil, message: String) {
        self.keyPath = keyPath
        self.line = line
        self.message = message
    }

    /// `<line>: <key.path>: <message>`, leaving out the parts that are unknown.
    public var description: String {
        var parts: [String] = []
        if let line { parts.append(String(line)) }
        if !keyPath.isEmpty { parts.append(keyPath) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }

    /// `<file>:<line>: <key.path>: <message>`, the shape editors and terminals recognise as a location.
    public func formatted(source: String) -> String {
        line == nil ? "\(source): \(description)" : "\(source):\(description)"
    }
}
