import Foundation

/// Every check of one `portico doctor` run, printable as aligned text or as one JSON object.
public struct DoctorReport: Sendable {
    public var checks: [DoctorCheck]

    public init(checks: [DoctorCheck]) {
        self.checks = checks
    }

    public var passed: Int { checks.count { $0.status == .pass } }
    public var warnings: Int { checks.count { $0.status == .warn } }
    public var failed: Int { checks.count { $0.status == .fail } }
    public var skipped: Int { checks.count { $0.status == .skip } }

    /// 1 when anything failed: warnings alone leave a deployable stack, so scripts may go on.
    public var exitCode: Int32 { failed > 0 ? 1 : 0 }

    /// One line per check, the fix indented under the summary, totals last.
    public var text: String {
        let width = max(16, (checks.map(\.id.count).max() ?? 0) + 2)
        let indent = String(repeating: " ", count: 6 + width)
        var lines: [String] = []
        for check in checks {
            let status = check.status.rawValue.uppercased()
            let id = check.id.padding(toLength: width, withPad: " ", startingAt: 0)
            let summary = check.summary.replacingOccurrences(of: "\n", with: "\n" + indent)
            lines.append(status.padding(toLength: 6, withPad: " ", startingAt: 0) + id + summary)
            if let fix = check.fix, check.status != .pass {
                lines.append(indent + "fix: " + fix.replacingOccurrences(of: "\n", with: "\n" + indent + "     "))
            }
        }
        var totals = ["\(passed) passed", "\(warnings) warning\(warnings == 1 ? "" : "s")", "\(failed) failed"]
        if skipped > 0 { totals.append("\(skipped) skipped") }
        lines.append(totals.joined(separator: ", "))
        return lines.joined(separator: "\n") + "\n"
    }

    /// `{"checks":[{"id","status","summary","fix"}],"passed":n,"warnings":n,"failed":n,"skipped":n}`,
    /// keys in that order; `fix` is always present (null when there is nothing to fix).
    public var json: String {
        let entries = checks.map { check in
            let fix = check.status == .pass ? nil : check.fix
            return #"{"id":\#(Self.quoted(check.id)),"status":"\#(check.status.rawValue)","summary":\#(Self.quoted(check.summary)),"fix":\#(fix.map(Self.quoted) ?? "null")}"#
        }
        return #"{"checks":[\#(entries.joined(separator: ","))],"passed":\#(passed),"warnings":\#(warnings),"failed":\#(failed),"skipped":\#(skipped)}"# + "\n"
    }

    /// A JSON string literal for `text`.
    static func quoted(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return (try? encoder.encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }
}
