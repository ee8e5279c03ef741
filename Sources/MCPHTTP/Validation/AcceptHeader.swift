/// Which of the two MCP media types a client accepts.
///
/// Lenient by design: either type, a matching wildcard, or `*/*` is enough (Claude's proxy
/// sends only `text/event-stream`; some clients send only `application/json`). Parsed on
/// the UTF-8 bytes without allocating: this runs on every request.
struct AcceptedMediaTypes: Sendable, Equatable {
    var json: Bool
    var eventStream: Bool

    var acceptsAny: Bool { json || eventStream }

    /// A missing header means anything is acceptable (RFC 9110 §12.5.1).
    init(header: String?) {
        json = false
        eventStream = false
        guard var header else {
            json = true
            eventStream = true
            return
        }
        header.withUTF8 { bytes in
            var sawRange = false
            for range in bytes.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: true) {
                let parameters = range.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
                guard let type = parameters.first.map(Self.trimmed), !type.isEmpty else { continue }
                sawRange = true
                if parameters.dropFirst().contains(where: { Self.isZeroQuality(Self.trimmed($0)) }) { continue }
                if Self.equalsIgnoringCase(type, "*/*") {
                    json = true
                    eventStream = true
                } else if Self.equalsIgnoringCase(type, "application/json") || Self.equalsIgnoringCase(type, "application/*") {
                    json = true
                } else if Self.equalsIgnoringCase(type, "text/event-stream") || Self.equalsIgnoringCase(type, "text/*") {
                    eventStream = true
                }
            }
            if !sawRange {
                json = true
                eventStream = true
            }
        }
    }

    static func trimmed(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Slice<UnsafeBufferPointer<UInt8>> {
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return bytes[start..<end]
    }

    static func equalsIgnoringCase(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        return literal.withUTF8Buffer { expected in
            var index = bytes.startIndex
            for byte in expected {
                let actual = bytes[index]
                let lowered = (0x41...0x5A).contains(actual) ? actual + 0x20 : actual
                if lowered != byte { return false }
                index += 1
            }
            return true
        }
    }

    /// `q=0`, `q=0.0`, … (RFC 9110 §12.4.2): the range is "not acceptable".
    static func isZeroQuality(_ parameter: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        guard parameter.count >= 3, parameter[parameter.startIndex] | 0x20 == UInt8(ascii: "q"),
            parameter[parameter.startIndex + 1] == UInt8(ascii: "=")
        else { return false }
        let value = parameter.dropFirst(2)
        guard value.first == UInt8(ascii: "0") else { return false }
        return value.dropFirst().allSatisfy { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "0") }
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        if let first = first, let last = last, first != " ", first != "\t", last != " ", last != "\t" { return String(self) }
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" { view.removeFirst() }
        while let last = view.last, last == " " || last == "\t" { view.removeLast() }
        return String(view)
    }
}

/// Whether a `Content-Type` names JSON (`application/json` or `application/*+json`, any parameters).
enum JSONContentType {
    static func matches(_ contentType: String?) -> Bool {
        guard var contentType else { return false }
        if contentType == "application/json" { return true }
        return contentType.withUTF8 { bytes in
            let type = AcceptedMediaTypes.trimmed(bytes.split(separator: UInt8(ascii: ";"), maxSplits: 1, omittingEmptySubsequences: false)[0])
            if AcceptedMediaTypes.equalsIgnoringCase(type, "application/json") { return true }
            let lowered = String(decoding: type, as: UTF8.self).lowercased()
            return lowered.hasPrefix("application/") && lowered.hasSuffix("+json")
        }
    }
}
