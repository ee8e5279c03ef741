import Foundation

/// Open-file limits of running processes, read from `/proc` (Linux), for the `fd-limit` check.
enum ProcessLimits {
    /// The soft "Max open files" of `pid`, `nil` when unreadable or unlimited.
    static func openFileLimit(pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("Max open files") {
            let fields = line.dropFirst("Max open files".count).split(separator: " ")
            return fields.first.flatMap { Int($0) }
        }
        return nil
    }

    /// Descriptors `pid` has open now.
    static func openFiles(pid: Int32) -> Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
    }

    /// The process listening on `port` of an address that takes nginx's loopback connections:
    /// 127.0.0.0/8, `::1`, an IPv4-mapped loopback, or the wildcard (which cannot share the
    /// port with a loopback listener, so it is the one nginx reaches). Its socket's inode comes
    /// from `/proc/net/tcp*`, then the process holding that inode.
    static func listener(port: Int) -> Int32? {
        var inodes: Set<String> = []
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                // local_address is field 1 (hex address:hex port), st is field 3 (0A = LISTEN), inode is field 9.
                guard fields.count > 9, fields[3] == "0A" else { continue }
                let local = fields[1].split(separator: ":")
                guard local.count == 2, Int(local[1], radix: 16) == port, acceptsLoopback(hexAddress: local[0]) else { continue }
                inodes.insert("socket:[\(fields[9])]")
            }
        }
        guard !inodes.isEmpty, let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for entry in entries {
            guard let pid = Int32(entry), let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(entry)/fd") else { continue }
            for descriptor in descriptors {
                if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/fd/\(descriptor)"), inodes.contains(link) {
                    return pid
                }
            }
        }
        return nil
    }

    /// Whether a `/proc/net/tcp*` local address (hex, 32-bit words in host order, little-endian
    /// here) is loopback or the wildcard.
    static func acceptsLoopback<Text: StringProtocol>(hexAddress: Text) -> Bool {
        let address = hexAddress.uppercased()
        switch address.count {
        case 8:
            // IPv4: 127.x.x.x is stored as xxxxxx7F; 0.0.0.0 is the wildcard.
            return address.hasSuffix("7F") || address == "00000000"
        case 32:
            let wildcard = String(repeating: "0", count: 32)
            let loopback = String(repeating: "0", count: 24) + "01000000"
            let mapped = address.hasPrefix("0000000000000000FFFF0000") && address.hasSuffix("7F")
            return address == wildcard || address == loopback || mapped
        default:
            return false
        }
    }
}
