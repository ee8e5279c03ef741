import Synchronization

/// The hand-over point between a `tools/call` and the task it may become.
///
/// The dispatcher waits for whichever comes first: the handler finishing (the call answers
/// synchronously) or the handler asking to continue as a task (the call answers with a
/// `CreateTaskResult` and the handler's eventual outcome goes to the task instead).
final class TaskPromotion: Sendable {
    enum Decision: Sendable {
        case finished(Result<JSONObject, any Error>)
        case promote
    }

    private struct State {
        var decision: Decision?
        var dispatcher: CheckedContinuation<Decision, Never>?
        var record: TaskRecord?
        var handlersWaitingForRecord: [CheckedContinuation<TaskRecord?, Never>] = []
        var refused = false
    }

    private let state = Mutex(State())

    init(record: TaskRecord? = nil) {
        state.withLock { $0.record = record }
    }

    /// The task, once the call became one.
    var record: TaskRecord? { state.withLock { $0.record } }

    /// Dispatcher side: the first decision.
    func decision() async -> Decision {
        await withCheckedContinuation { continuation in
            let ready: Decision? = state.withLock { state in
                if let decision = state.decision { return decision }
                state.dispatcher = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private func decide(_ decision: Decision) {
        let dispatcher: CheckedContinuation<Decision, Never>? = state.withLock { state in
            guard state.decision == nil else { return nil }
            state.decision = decision
            defer { state.dispatcher = nil }
            return state.dispatcher
        }
        dispatcher?.resume(returning: decision)
    }

    /// Handler side, when it returns or throws.
    func finish(_ outcome: Result<JSONObject, any Error>) {
        decide(.finished(outcome))
    }

    /// Handler side: asks to continue as a task and waits until the task exists.
    /// Returns `nil` when the dispatcher could not create one (the store was full).
    func promote() async -> TaskRecord? {
        if let record { return record }
        return await withCheckedContinuation { (continuation: CheckedContinuation<TaskRecord?, Never>) in
            let ready: TaskRecord?? = state.withLock { state in
                if let record = state.record { return .some(record) }
                if state.refused { return .some(nil) }
                state.handlersWaitingForRecord.append(continuation)
                return .none
            }
            if case .some(let record) = ready { continuation.resume(returning: record) }
            decide(.promote)
        }
    }

    /// Dispatcher side: the task was created (or `nil`: it could not be).
    func resolve(_ record: TaskRecord?) {
        let waiting = state.withLock { state in
            state.record = record
            state.refused = record == nil
            defer { state.handlersWaitingForRecord.removeAll() }
            return state.handlersWaitingForRecord
        }
        for handler in waiting { handler.resume(returning: record) }
    }
}
