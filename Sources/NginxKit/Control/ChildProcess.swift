import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child started with `posix_spawn` in its own process group and reaped with `waitpid`.
///
/// Not Foundation's `Process`: on Linux it learns of an exit when a socket it shares with the
/// child closes, and nginx's workers inherit that socket, so a master that dies while its
/// workers live is never reaped (a zombie, and no termination callback). Its own process
/// group also keeps a terminal's Ctrl-C away from nginx (the supervisor decides how it stops)
/// and lets orphaned workers be killed together.
public final class ChildProcess: Sendable {
    public let pid: pid_t

    init(pid: pid_t) { self.pid = pid }

    /// Starts `arguments` (absolute path first) with standard input from /dev/null, the other
    /// streams inherited or written to `outputFile` (created fresh), no other descriptors.
    public static func spawn(_ arguments: [String], outputFile: String? = nil) throws(EdgeError) -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        markDescriptorsCloseOnExec()
        if let outputFile {
            posix_spawn_file_actions_addopen(&actions, 1, outputFile, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, &argv, environ)
        guard result == 0 else { throw EdgeError("could not start \(arguments[0]): \(String(cString: strerror(result)))") }
        return ChildProcess(pid: pid)
    }

    /// Nothing else of ours may reach the child: SwiftNIO's sockets are not close-on-exec, and an
    /// nginx holding the app's listening socket keeps its port bound after the app is gone.
    /// (glibc's `posix_spawn_file_actions_addclosefrom_np` is not visible to Swift.)
    static func markDescriptorsCloseOnExec() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for entry in entries {
            guard let descriptor = Int32(entry), descriptor > 2 else { continue }
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    /// Blocks until the child exits; returns its exit status (128 + signal when killed).
    public func waitForExit() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return -1 }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Sends a signal to the child alone.
    public func signal(_ value: Int32) {
        kill(pid, value)
    }

    /// Sends a signal to the child's whole process group (its workers included).
    public func signalGroup(_ value: Int32) {
        kill(-pid, value)
    }
}
