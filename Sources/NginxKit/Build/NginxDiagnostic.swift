import Foundation

/// One message nginx printed while testing or loading a configuration.
///
/// Both prefixes occur: `nginx: [emerg] msg in FILE:LINE` (most builds) and Debian's
/// `2026/11/27 15:03:32 [emerg] 18791#18791: msg in FILE:LINE` (built with `--error-log-path=stderr`).
public struct NginxDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Level: String, Sendable, Comparable, CaseIterable {
        case debug, info, notice, warn, error, crit, alert, emerg

        public static func < (lhs: Self, rhs: Self) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    public var level: Level
    public var message: String
    public var file: String?
    public var line: Int?

    public var description: String {
        "[\(level.rawValue)] \(message)" + (file.map { " in \($0)" + (line.map { ":\($0)" } ?? "") } ?? "")
    }

    /// Reads one output line; `nil` for lines without a `[level]` tag (the final "test failed").
    public init?(line text: some StringProtocol) {
        guard let open = text.firstIndex(of: "["), let close = text[open...].firstIndex(of: "]"),
              let level = Level(rawValue: String(text[text.index(after: open)..<close]))
        else { return nil }
        var message = text[text.index(after: close)...].drop { $0 == " " }
        // Debian: "PID#TID: " after the level.
        if let hash = message.firstIndex(of: "#"), let colon = message[hash...].firstIndex(of: ":"),
           message[..<hash].allSatisfy(\.isNumber), message[message.index(after: hash)..<colon].allSatisfy(\.isNumber) {
            message = message[message.index(after: colon)...].drop { $0 == " " }
        }
        self.level = level
        if let range = message.range(of: " in ", options: .backwards),
           let colon = message[range.upperBound...].lastIndex(of: ":"),
           let line = Int(message[message.index(after: colon)...]) {
            self.message = String(message[..<range.lowerBound])
            self.file = String(message[range.upperBound..<colon])
            self.line = line
        } else {
            self.message = String(message)
        }
    }

    /// Every tagged line of an output.
    public static func all(in output: String) -> [NginxDiagnostic] {
        output.split(whereSeparator: \.isNewline).compactMap { NginxDiagnostic(line: $0) }
    }
}
