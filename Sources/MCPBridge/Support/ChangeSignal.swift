import Synchronization

/// Wakes tasks waiting for some shared state to change (a child became ready, a call
/// finished and freed a slot).
///
/// Waiters re-check their own condition after each wake-up; a generation counter closes
/// the gap between checking and starting to wait, so no signal is lost.
final class ChangeSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    init() {}

    func signal() {
        let waiters = state.withLock { state in
            state.generation &+= 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once `condition` yields a value; throws `CancellationError` when the task is cancelled first.
    func wait<Value>(for condition: () throws -> Value?) async throws -> Value {
        while true {
            let generation = state.withLock { $0.generation }
            if let value = try condition() { return value }
            try Task.checkCancellation()
            let waiter = state.withLock { state -> Int in
                state.nextWaiter += 1
                return state.nextWaiter
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let parked = state.withLock { state -> Bool in
                        guard state.generation == generation, !Task.isCancelled else { return false }
                        state.waiters[waiter] = continuation
                        return true
                    }
                    if !parked { continuation.resume() }
                }
            } onCancel: {
                let continuation = state.withLock { $0.waiters.removeValue(forKey: waiter) }
                continuation?.resume()
            }
        }
    }
}
