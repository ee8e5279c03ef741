import Foundation

/// Splits a text/event-stream into the `data` of each event as chunks arrive.
struct SSEReader {
    private var pending = ""

    mutating func feed(_ text: String) -> [String] {
        pending += text.replacingOccurrences(of: "\r\n", with: "\n")
        var messages: [String] = []
        while let end = pending.range(of: "\n\n") {
            let event = pending[..<end.lowerBound]
            pending.removeSubrange(..<end.upperBound)
            let data = event.split(separator: "\n").filter { $0.hasPrefix("data:") }.map { $0.dropFirst(5).drop { $0 == " " } }
            if !data.isEmpty { messages.append(data.joined(separator: "\n")) }
        }
        return messages
    }
}
