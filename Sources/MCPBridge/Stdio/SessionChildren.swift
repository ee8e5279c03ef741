import Logging
import Synchronization

/// Per-session mode: one child per legacy session, for servers that keep per-client state.
///
/// A session's child starts on its first call and is stopped (stdin closed) once the
/// session is gone; the number alive at once is capped so a flood of sessions cannot fork
/// a flood of interpreters.
final class SessionChildren: Sendable {
    private struct State {
        var children: [String: ChildSlot] = [:]
        var nextIndex = 1_000
    }

    let source: String
    let command: ChildCommand
    let maximum: Int
    let sessionExists: @Sendable (String) -> Bool
    let changes: ChangeSignal
    let restarts: RestartTally
    let logger: Logger
    /// Slots to run; the source's task group starts each one.
    let started: AsyncStream<ChildSlot>
    private let startedContinuation: AsyncStream<ChildSlot>.Continuation
    private let state = Mutex(State())

    init(source: String, command: ChildCommand, maximum: Int, sessionExists: @escaping @Sendable (String) -> Bool, changes: ChangeSignal, restarts: RestartTally, logger: Logger) {
        self.restarts = restarts
        self.source = source
        self.command = command
        self.maximum = maximum
        self.sessionExists = sessionExists
        self.changes = changes
        self.logger = logger
        (started, startedContinuation) = AsyncStream.makeStream()
    }

    /// The session's child, started on first use.
    func slot(for sessionID: String) throws(BridgeFailure) -> ChildSlot {
        let (slot, isNew) = try state.withLock { state throws(BridgeFailure) -> (ChildSlot, Bool) in
            if let slot = state.children[sessionID] { return (slot, false) }
            guard state.children.count < maximum else {
                throw .unavailable(source: source, reason: "\(maximum) sessions already have their own process (max_session_children)")
            }
            state.nextIndex += 1
            let slot = ChildSlot(index: state.nextIndex, command: command, changes: changes, restarts: restarts, logger: logger)
            state.children[sessionID] = slot
            return (slot, true)
        }
        if isNew { startedContinuation.yield(slot) }
        return slot
    }

    /// Stops the children of sessions that ended or expired.
    func reap() {
        let ended = state.withLock { state -> [ChildSlot] in
            let gone = state.children.keys.filter { !sessionExists($0) }
            return gone.compactMap { state.children.removeValue(forKey: $0) }
        }
        for slot in ended { slot.stop(reason: "its session ended") }
    }

    /// The children alive now.
    var slots: [ChildSlot] { state.withLock { Array($0.children.values) } }

    func stopAll() {
        let all = state.withLock { state in
            defer { state.children.removeAll() }
            return Array(state.children.values)
        }
        for slot in all { slot.stop() }
        startedContinuation.finish()
    }
}
