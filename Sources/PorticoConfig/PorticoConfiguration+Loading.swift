import Foundation
import Yams

extension PorticoConfiguration {
    /// Reads and checks the configuration file at `path`.
    ///
    /// A missing file yields the defaults, so `portico` starts without any setup; callers that require the file
    /// to exist should check for it first.
    ///
    /// - Throws: ``ConfigError`` listing every problem (unreadable file, YAML syntax, unknown keys, wrong types,
    ///   invalid values), each with its line where known.
    public static func load(contentsOf path: String) throws -> PorticoConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            // Checked after the failed read rather than before it, so a file appearing in between is not missed.
            if !FileManager.default.fileExists(atPath: path) {
                return PorticoConfiguration()
            }
            throw ConfigError(
                source: path,
                issues: [ConfigIssue(keyPath: "", message: "cannot read file: \(error.localizedDescription)")]
            )
        }
        return try decode(yaml: text, source: path)
    }

    /// Parses and checks configuration text; `source` names it in error messages.
    ///
    /// An empty document yields the defaults.
    ///
    /// - Throws: ``ConfigError`` listing every problem found, not just the first, ordered by line.
    public static func decode(yaml: String, source: String = "<string>") throws -> PorticoConfiguration {
        let document: ConfigDocument
        do {
            document = try ConfigDocument(yaml: yaml)
        } catch {
            throw ConfigError(source: source, issues: [error])
        }

        var issues = document.issues
        var configuration = PorticoConfiguration()
        if let root = document.root {
            let collector = DecodingIssueCollector()
            do {
                configuration = try YAMLDecoder().decode(
                    PorticoConfiguration.self,
                    from: root,
                    userInfo: [.porticoIssueCollector: collector]
                )
            } catch {
                // Field errors are collected, so reaching here means the document itself could not be read.
                issues.append(ConfigIssue(keyPath: "", line: root.mark?.line, message: "cannot decode: \(error)"))
            }
            issues += collector.failures.map { issue(for: $0, in: document) }
        }
        // Bad values were replaced by (valid) defaults above, so validation only reports independent problems.
        issues += configuration.validate().map { issue in
            var located = issue
            located.line = issue.line ?? document.line(for: issue.keyPath)
            return located
        }

        guard issues.isEmpty else {
            throw ConfigError(source: source, issues: orderedByLine(issues))
        }
        return configuration
    }

    /// The configuration as YAML with snake_case keys, in the same shape ``decode(yaml:source:)`` reads,
    /// so the effective settings can be printed or saved as a starting point.
    public func encodedYAML() throws -> String {
        try YAMLEncoder().encode(self)
    }

    private static func issue(
        for failure: DecodingIssueCollector.Failure,
        in document: ConfigDocument
    ) -> ConfigIssue {
        let line = document.line(for: failure.keyPath)
        if let explanation = failure.explanation {
            return ConfigIssue(keyPath: failure.keyPath, line: line, message: explanation)
        }
        var message = "expected \(failure.expectation ?? "a different type")"
        if let found = document.value(at: failure.keyPath) {
            message += ", got \(ConfigDocument.summary(of: found))"
            if failure.expectsList, case let .scalar(scalar) = found {
                message += "; write it as a list: [\(scalar.string)]"
            }
        }
        return ConfigIssue(keyPath: failure.keyPath, line: line, message: message)
    }

    /// Sorts by line, keeping discovery order for ties and putting unlocated issues last.
    private static func orderedByLine(_ issues: [ConfigIssue]) -> [ConfigIssue] {
        issues.enumerated()
            .sorted { lhs, rhs in
                let left = lhs.element.line ?? Int.max
                let right = rhs.element.line ?? Int.max
                return left == right ? lhs.offset < rhs.offset : left < right
            }
            .map(\.element)
    }
}
