import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The account nginx workers run as in a prefix, and the directories they must be able to write.
///
/// A master started by root drops its workers to an unprivileged user, and those workers write
/// request bodies, proxy buffers and cache entries under the prefix. A prefix below a private
/// directory (a 0700 home or temp dir) is unreachable for them, which nginx reports only at
/// request time as `[crit] … (13: Permission denied)`. So the choice is made up front.
public struct WorkerAccount: Sendable, Equatable {
    public var user: String
    public var group: String
    public var uid: uid_t
    public var gid: gid_t
    /// Why the workers keep root, when they do.
    public var warning: EdgeWarning?

    /// `nil` when Portico is not root: the workers then run as the current user and need nothing.
    public static func choose(prefix: String) -> WorkerAccount? {
        guard geteuid() == 0 else { return nil }
        for (user, group) in [("www-data", "www-data"), ("nobody", "nogroup"), ("nobody", "nobody")] {
            guard let password = getpwnam(user), let groupEntry = getgrnam(group) else { continue }
            if let blocked = firstPrivateAncestor(of: prefix) {
                return WorkerAccount(
                    user: "root", group: "root", uid: 0, gid: 0,
                    warning: EdgeWarning(
                        feature: "nginx workers",
                        message: "run as root because \(blocked) is not reachable by other users (mode \(String(mode(of: blocked) & 0o777, radix: 8))); put the state directory on a world-traversable path to run them as \(user)",
                        isOmission: false))
            }
            return WorkerAccount(user: user, group: group, uid: password.pointee.pw_uid, gid: groupEntry.pointee.gr_gid, warning: nil)
        }
        return nil
    }

    /// Hands the writable directories of a prefix to the worker account.
    public func own(_ directories: [String]) {
        for directory in directories {
            lchown(directory, uid, gid)
        }
    }

    static func firstPrivateAncestor(of path: String) -> String? {
        var components = URL(fileURLWithPath: path).standardizedFileURL.pathComponents
        var ancestors: [String] = []
        while components.count > 1 {
            components.removeLast()
            ancestors.append(components.count == 1 ? "/" : "/" + components.dropFirst().joined(separator: "/"))
        }
        return ancestors.reversed().first { (mode(of: $0) & 0o001) == 0 }
    }

    static func mode(of path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
    }
}
