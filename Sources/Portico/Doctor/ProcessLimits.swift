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

    /// The process listening on `port` of a loopback IPv4 or IPv6 address: its socket's inode
    /// from `/proc/net/tcp*`, then the process holding that inode.
    static func listener(port: Int) -> Int32? {
        var inodes: Set<String> = []
        let hexPort = String(format: ":%04X", port)
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                // local_address is field 1, st is field 3 (0A = LISTEN), inode is field 9.
                guard fields.count > 9, fields[1].hasSuffix(hexPort), fields[3] == "0A" else { continue }
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
}
