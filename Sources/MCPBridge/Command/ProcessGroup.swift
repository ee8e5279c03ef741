#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Signals sent to a child's whole process group.
///
/// The child is spawned with `processGroupID = 0`, so its pgid equals its pid and everything it
/// forks (unless it calls `setsid`/`setpgid` itself) shares that group. Killing `-pgid` is the only
/// way to reach grandchildren such as `sh -c 'slow &'` without tracking them.
enum ProcessGroup {
    /// Sends `signal` to every process in group `pgid`. ESRCH (group already empty) is expected
    /// and ignored. pgid ≤ 1 would address our own group or every process, so it is refused.
    static func signal(_ pgid: pid_t, _ signal: Int32) {
        guard pgid > 1 else { return }
        _ = kill(-pgid, signal)
    }
}

/// Ignoring SIGPIPE is process-wide and idempotent; a global `let` runs it exactly once, on first
/// use, without a lock of ours. Without it, writing stdin to a child that already exited kills
/// the whole server instead of returning EPIPE.
let ignoreSIGPIPEOnce: Void = {
    _ = signal(SIGPIPE, SIG_IGN)
}()
