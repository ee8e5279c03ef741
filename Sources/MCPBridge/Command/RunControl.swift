import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Shared state of one run, between the task that owns the child and the timeout watchdog.
///
/// One small lock per run (never a global one), held only for a few assignments. It exists
/// because the pid is known only inside swift-subprocess's body closure, while the watchdog
/// runs beside it and may fire before the pid is known.
final class RunControl: Sendable {
    private struct State {
        var pgid: pid_t?
        var timedOut = false
    }

    private let state = Mutex(State())

    /// Records the child's pid (= its pgid). If the deadline already passed before the child
    /// was visible, the group is killed right away, so a tiny timeout cannot be missed.
    func childStarted(pid: pid_t) {
        let alreadyTimedOut = state.withLock { state in
            state.pgid = pid
            return state.timedOut
        }
        if alreadyTimedOut { ProcessGroup.signal(pid, SIGKILL) }
    }

    /// Marks the run as timed out and returns the group to signal, if the child is known yet.
    func deadlinePassed() -> pid_t? {
        state.withLock { state in
            state.timedOut = true
            return state.pgid
        }
    }

    var pgid: pid_t? { state.withLock { $0.pgid } }
    var timedOut: Bool { state.withLock { $0.timedOut } }
}
