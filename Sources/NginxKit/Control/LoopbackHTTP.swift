import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 client for loopback probes of the status listener: one request per
/// connection (`Connection: close`), bounded by a timeout, no TLS. Enough to read the revision
/// marker, `stub_status` and the probe route without pulling an HTTP client into NginxKit.
public enum LoopbackHTTP {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: String

        public func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
    }

    /// Sends one request to `127.0.0.1:port`; throws ``EdgeError`` on connect failure or timeout.
    public static func request(
        port: Int, method: String = "GET", path: String, host: String = "127.0.0.1",
        headers: [(String, String)] = [], body: String = "", timeoutSeconds: Int = 5
    ) throws(EdgeError) -> Response {
        let descriptor = try connect(port: port, timeoutSeconds: timeoutSeconds)
        defer { close(descriptor) }
        var request = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { request += "Content-Length: \(body.utf8.count)\r\n" }
        request += "\r\n" + body
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw EdgeError("sending to 127.0.0.1:\(port) failed") }
            sent += written
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while received.count < 4_194_304 {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else { throw EdgeError("127.0.0.1:\(port) did not answer within \(timeoutSeconds) s") }
            received += buffer[..<count]
        }
        return try parse(received, port: port)
    }

    /// Whether anything accepts TCP connections on `127.0.0.1:port`: asked once before a
    /// series of probes, so a stopped stack gives one clear finding instead of every client
    /// retrying until its deadline.
    public static func accepts(port: Int, timeoutSeconds: Int = 2) -> Bool {
        guard let descriptor = try? connect(port: port, timeoutSeconds: timeoutSeconds) else { return false }
        close(descriptor)
        return true
    }

    /// A TCP socket connected to `127.0.0.1:port`, with send and receive timeouts set.
    private static func connect(port: Int, timeoutSeconds: Int) throws(EdgeError) -> Int32 {
        guard (1...65_535).contains(port) else { throw EdgeError("nothing answers on 127.0.0.1:\(port) (not a TCP port)") }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw EdgeError("socket() failed: errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw EdgeError("nothing answers on 127.0.0.1:\(port) (\(reason))")
        }
        return descriptor
    }

    static func parse(_ bytes: [UInt8], port: Int) throws(EdgeError) -> Response {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let split = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else {
            throw EdgeError("127.0.0.1:\(port) sent no complete HTTP response")
        }
        let head = String(decoding: bytes[..<split], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw EdgeError("127.0.0.1:\(port) sent a malformed status line") }
        var headers: [(name: String, value: String)] = []
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var body = Array(bytes[(split + separator.count)...])
        if headers.contains(where: { $0.name.lowercased() == "transfer-encoding" && $0.value.lowercased().contains("chunked") }) {
            body = dechunk(body)
        }
        // Decoded once the framing is gone, so a character split across chunks stays whole.
        return Response(status: status, headers: headers, body: String(decoding: body, as: UTF8.self))
    }

    static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = bytes[index...].indices.first(where: { bytes[$0] == 0x0D && $0 + 1 < bytes.count && bytes[$0 + 1] == 0x0A }) else { break }
            let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size > 0 else { break }
            let start = lineEnd + 2
            let end = min(start + size, bytes.count)
            output += bytes[start..<end]
            index = end + 2
        }
        return output
    }
}
