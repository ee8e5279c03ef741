import Synchronization

/// Restarts of one source's children, pool and per-session alike: a counter that outlives
/// the slots (a session's child goes away with its session; its restarts still count).
final class RestartTally: Sendable {
    private let count = Atomic(0)

    init() {}

    func add() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
