#if canImport(Glibc)
import Glibc
#endif

/// One JSON log line built straight into bytes: `{"ts":…,"level":…,"label":…,"message":…,
/// <fields>}\n`. Shared by the JSON log handler and the request log, so both write the same
/// shape with one escaper, and the request log (a line per request) stays cheap.
public struct JSONLogLine: Sendable {
    public private(set) var bytes: [UInt8]

    public init(level: String, label: String, message: String) {
        bytes = []
        bytes.reserveCapacity(384)
        bytes.append(contentsOf: #"{"ts":""#.utf8)
        Self.appendTimestamp(to: &bytes)
        bytes.append(contentsOf: #"","level":""#.utf8)
        bytes.append(contentsOf: level.utf8)
        bytes.append(UInt8(ascii: "\""))
        field("label", label)
        field("message", message)
    }

    /// Appends `"key":"value"`, escaping both.
    public mutating func field(_ key: String, _ value: String) {
        bytes.append(contentsOf: ",\"".utf8)
        appendEscaped(key)
        bytes.append(contentsOf: "\":\"".utf8)
        appendEscaped(value)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends `"key":<number>`: numbers stay numbers, so log shippers can compare and sum them.
    public mutating func field(_ key: String, number: Double) {
        bytes.append(contentsOf: ",\"".utf8)
        appendEscaped(key)
        bytes.append(contentsOf: "\":".utf8)
        bytes.append(contentsOf: (number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)).utf8)
    }

    /// The finished line, newline included.
    public consuming func finished() -> [UInt8] {
        bytes.append(contentsOf: "}\n".utf8)
        return bytes
    }

    /// RFC 8259 §7: quote, backslash and control characters are escaped; everything else,
    /// UTF-8 included, is copied as it is.
    private mutating func appendEscaped(_ text: String) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\n"): bytes.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): bytes.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): bytes.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: #"\u00"#.utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
    }

    /// UTC, ISO 8601 with milliseconds (`2026-11-28T08:15:11.944Z`), like nginx's `$time_iso8601` but finer.
    static func appendTimestamp(to bytes: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8((value / divisor) % 10))
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4)
        bytes.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2)
        bytes.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2)
        bytes.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2)
        bytes.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2)
        bytes.append(UInt8(ascii: "."))
        digits(Int(now.tv_nsec / 1_000_000), 3)
        bytes.append(UInt8(ascii: "Z"))
    }
}
