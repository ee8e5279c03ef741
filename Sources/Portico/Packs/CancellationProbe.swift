import MCPCore
import Synchronization

/// Counts how the conformance fixture's `test_wait_for_cancel` calls ended.
final class CancellationProbe: Sendable {
    private let cancelledCount = Atomic<Int>(0)
    private let completedCount = Atomic<Int>(0)

    func cancelled() { cancelledCount.add(1, ordering: .relaxed) }
    func completed() { completedCount.add(1, ordering: .relaxed) }

    var json: JSONValue {
        [
            "cancelled": .number(JSONNumber(cancelledCount.load(ordering: .relaxed))),
            "completed": .number(JSONNumber(completedCount.load(ordering: .relaxed))),
        ]
    }
}
