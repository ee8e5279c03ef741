import Synchronization

/// A request's handler task that `notifications/cancelled` can reach even before the task
/// exists: the session registers the request first (so a duplicate id is refused before any
/// work starts), and a cancellation arriving in between is remembered and applied when the
/// task is set.
final class CancellableTask: Sendable {
    private let state = Mutex<(task: Task<Void, Never>?, cancelRequested: Bool)>((nil, false))

    func cancel() {
        state.withLock { state in
            state.cancelRequested = true
            state.task?.cancel()
        }
    }

    func set(_ task: Task<Void, Never>) {
        state.withLock { state in
            state.task = task
            if state.cancelRequested { task.cancel() }
        }
    }
}
