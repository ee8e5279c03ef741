import MCPBridge
import PorticoConfig
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Helpers shared by the tests: real processes, no Foundation, no fixed sleeps.
enum TestSupport {
    /// Splits `printf '%s\0' …` output back into the argv the child received. NUL is a safe
    /// separator because the runner refuses NUL inside arguments.
    static func splitNUL(_ bytes: [UInt8]) -> [String] {
        var parts = bytes.split(separator: 0, omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
        if parts.last == "" { parts.removeLast() }
        return parts
    }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// A path under /tmp that no other test (or test run) uses.
    static func uniquePath(_ tag: String) -> String {
        "/tmp/cmdrun-test-\(getpid())-\(tag)-\(UInt64.random(in: 0...UInt64.max))"
    }

    /// Whole file as text, or nil if it cannot be opened.
    static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            data.append(contentsOf: chunk[0..<n])
        }
        return text(data)
    }

    static func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// True while `pid` is a live, non-zombie process. A killed orphan can stay a zombie until
    /// its new parent reaps it, so kill(pid, 0) alone would report it alive.
    static func isRunning(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = readFile("/proc/\(pid)/stat"),
              let close = stat.lastIndex(of: ")") else { return true }
        let state = stat[stat.index(after: close)...].drop { $0 == " " }.first
        return state != "Z" && state != "X"
    }

    /// Parses "123 456" (pids echoed by a shell) into numbers.
    static func pids(_ text: String) -> [pid_t] {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { pid_t($0) }
    }
}
