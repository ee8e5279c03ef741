import Synchronization

/// One task of the `io.modelcontextprotocol/tasks` extension: a durable handle on work that
/// outlives the request that started it (SEP-2663 §Tasks).
///
/// Status moves `working` ⇄ `input_required` → `completed` | `failed` | `cancelled`; terminal
/// states never change. Input the work needs is surfaced as `inputRequests` and answered by
/// `tasks/update`; keys are unique over the task's life and answers to other keys are ignored.
public final class TaskRecord: Sendable {
    public enum Status: String, Sendable {
        case working
        case inputRequired = "input_required"
        case completed, failed, cancelled

        public var isTerminal: Bool { self == .completed || self == .failed || self == .cancelled }
    }

    private struct PendingInput {
        var requests: [(key: String, request: InputRequest)]
        var continuation: CheckedContinuation<[String: JSONValue], any Error>
    }

    private struct State {
        var status: Status = .working
        var statusMessage: String?
        var lastUpdated: Int64
        var result: JSONObject?
        var error: MCPError?
        var answers: JSONObject = [:]
        var pending: PendingInput?
        /// Input keys already put to a legacy client (2025-11-25 tasks ask through `tasks/result`).
        var dispatched: Set<String> = []
        var cancelWork: (@Sendable () -> Void)?
        var changeWaiters: [CheckedContinuation<Void, Never>] = []
        /// Counts transitions, so a waiter can tell whether it missed one.
        var version = 0
    }

    public let id: String
    public let createdAt: Int64
    public let ttlMilliseconds: Int
    public let pollIntervalMilliseconds: Int
    /// Who created the task; another principal presenting the id is told it does not exist.
    public let principal: String?
    private let state: Mutex<State>
    private let onChange: @Sendable (TaskRecord) -> Void

    init(id: String, ttlMilliseconds: Int, pollIntervalMilliseconds: Int, principal: String?, onChange: @escaping @Sendable (TaskRecord) -> Void) {
        self.id = id
        self.createdAt = WallClock.nowMilliseconds()
        self.ttlMilliseconds = ttlMilliseconds
        self.pollIntervalMilliseconds = pollIntervalMilliseconds
        self.principal = principal
        self.onChange = onChange
        self.state = Mutex(State(lastUpdated: createdAt))
    }

    public var status: Status { state.withLock { $0.status } }

    func isExpired(now: Int64) -> Bool { now > createdAt + Int64(ttlMilliseconds) }

    /// The work to cancel on `tasks/cancel`.
    func onCancel(_ cancel: @escaping @Sendable () -> Void) {
        state.withLock { $0.cancelWork = cancel }
    }

    // MARK: Wire forms

    /// The `Task` fields (SEP-2663 §Tasks), shared by every shape.
    private func base(_ state: State) -> JSONObject {
        var object: JSONObject = [
            "taskId": .string(id), "status": .string(state.status.rawValue),
            "createdAt": .string(WallClock.iso8601(milliseconds: createdAt)),
            "lastUpdatedAt": .string(WallClock.iso8601(milliseconds: state.lastUpdated)),
            "ttlMs": .number(JSONNumber(ttlMilliseconds)),
            "pollIntervalMs": .number(JSONNumber(pollIntervalMilliseconds)),
        ]
        if let message = state.statusMessage { object["statusMessage"] = .string(message) }
        return object
    }

    /// The 2025-11-25 `Task` (experimental tasks): `ttl` and `pollInterval` instead of `…Ms`.
    public var legacyTask: JSONObject {
        var object = state.withLock { base($0) }
        object["ttl"] = object["ttlMs"]
        object["pollInterval"] = object["pollIntervalMs"]
        object["ttlMs"] = nil
        object["pollIntervalMs"] = nil
        return object
    }

    /// The outcome once terminal: the result, or the error (a cancelled task's is -32603 "cancelled").
    var outcome: Result<JSONObject, MCPError>? {
        state.withLock { state in
            switch state.status {
            case .completed: .success(state.result ?? [:])
            case .failed: state.result.map { .success($0) } ?? .failure(state.error ?? .internalError("The task failed"))
            case .cancelled: .failure(.internalError("The task was cancelled"))
            case .working, .inputRequired: nil
            }
        }
    }

    /// Puts `keys` back as not yet asked (asking the client failed).
    func undispatch(_ keys: [String]) {
        state.withLock { state in
            for key in keys { state.dispatched.remove(key) }
        }
    }

    /// Input requests not yet put to a legacy client; marks them as put.
    func undispatchedInputs() -> [(key: String, request: InputRequest)] {
        state.withLock { state in
            let open = (state.pending?.requests ?? []).filter { state.answers[$0.key] == nil && !state.dispatched.contains($0.key) }
            for (key, _) in open { state.dispatched.insert(key) }
            return open
        }
    }

    /// The transition counter, for ``waitForChange(since:)``.
    var version: Int { state.withLock { $0.version } }

    /// Waits until the task has changed since `version` (returns at once if it already has),
    /// or the caller is cancelled.
    func waitForChange(since version: Int) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.status.isTerminal || state.version != version || Task.isCancelled { return true }
                    state.changeWaiters.append(continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            wakeWaiters()
        }
    }

    private func wakeWaiters() {
        let waiters = state.withLock { state in
            defer { state.changeWaiters.removeAll() }
            return state.changeWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// `CreateTaskResult`: the seed state, flat, `resultType: "task"`.
    public var createResult: JSONObject {
        var object = state.withLock { base($0) }
        object["resultType"] = "task"
        return object
    }

    /// `DetailedTask` for `tasks/get` and `notifications/tasks`: the state plus its payload
    /// (`inputRequests`, `result` or `error`).
    public var detailed: JSONObject {
        state.withLock { state in
            var object = base(state)
            switch state.status {
            case .inputRequired:
                var requests = JSONObject()
                for (key, request) in state.pending?.requests ?? [] where state.answers[key] == nil { requests[key] = request.json }
                object["inputRequests"] = .object(requests)
            case .completed: object["result"] = .object(state.result ?? [:])
            case .failed:
                if let error = state.error {
                    var wire: JSONObject = ["code": .number(JSONNumber(error.code.rawValue)), "message": .string(error.message)]
                    if let data = error.data { wire["data"] = data }
                    object["error"] = .object(wire)
                }
            case .working, .cancelled: break
            }
            return object
        }
    }

    // MARK: Transitions

    /// Applies `change` unless the task is terminal; reports whether it changed.
    @discardableResult
    private func transition(_ change: (inout State) -> Void) -> Bool {
        let changed = state.withLock { state -> Bool in
            guard !state.status.isTerminal else { return false }
            change(&state)
            state.lastUpdated = WallClock.nowMilliseconds()
            state.version += 1
            return true
        }
        if changed {
            wakeWaiters()
            onChange(self)
        }
        return changed
    }

    /// The work finished with a result (a tool's `isError` result included).
    func complete(_ result: JSONObject) {
        transition { state in
            state.status = .completed
            state.result = result
            state.statusMessage = nil
        }
    }

    /// 2025-11-25: a tool result with `isError: true` ends the task `failed`, result kept
    /// (tasks §Result Handling); the 2026 extension calls that `completed`.
    func failWithResult(_ result: JSONObject) {
        transition { state in
            state.status = .failed
            state.result = result
            state.statusMessage = "The tool reported an error"
        }
    }

    /// The work failed with a JSON-RPC error.
    func fail(_ error: MCPError) {
        transition { state in
            state.status = .failed
            state.error = error
            state.statusMessage = error.message
        }
    }

    /// `tasks/cancel`: cooperative; the task is `cancelled` at once and its work is asked to stop.
    func cancel() {
        var work: (@Sendable () -> Void)?
        var pending: PendingInput?
        transition { state in
            state.status = .cancelled
            state.statusMessage = "Cancelled by the client"
            work = state.cancelWork
            pending = state.pending
            state.pending = nil
        }
        pending?.continuation.resume(throwing: CancellationError())
        work?()
    }

    /// Suspends the work until the client answers every request through `tasks/update`;
    /// the task shows `input_required` with the keys still open meanwhile.
    func awaitInputs(_ requests: [(key: String, request: InputRequest)]) async throws -> [String: JSONValue] {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[String: JSONValue], any Error>) in
                enum Outcome { case answered([String: JSONValue]), wait, terminal, busy }
                var outcome = Outcome.terminal
                transition { state in
                    if state.pending != nil {
                        outcome = .busy
                        return
                    }
                    let answered = requests.compactMap { key, _ in state.answers[key].map { (key, $0) } }
                    if answered.count == requests.count {
                        outcome = .answered(Dictionary(uniqueKeysWithValues: answered))
                        return
                    }
                    state.pending = PendingInput(requests: requests, continuation: continuation)
                    state.status = .inputRequired
                    state.statusMessage = "Waiting for input: \(requests.map(\.key).filter { state.answers[$0] == nil }.joined(separator: ", "))"
                    outcome = .wait
                }
                switch outcome {
                case .answered(let answers): continuation.resume(returning: answers)
                case .wait: break
                case .terminal: continuation.resume(throwing: CancellationError())
                case .busy:
                    continuation.resume(throwing: MCPError.internalError("A task asks for one round of input at a time; ask for several keys with inputs([...])"))
                }
            }
        } onCancel: {
            let pending = state.withLock { state -> PendingInput? in
                defer { state.pending = nil }
                return state.pending
            }
            pending?.continuation.resume(throwing: CancellationError())
        }
    }

    /// `tasks/update`: records answers to open keys (others are ignored, SEP-2663 §Task
    /// Update Requests); resumes the work once every open key is answered.
    func update(_ responses: JSONObject) throws(MCPError) {
        var resume: (CheckedContinuation<[String: JSONValue], any Error>, [String: JSONValue])?
        var problem: MCPError?
        transition { state in
            guard let pending = state.pending else { return }
            for (key, request) in pending.requests where state.answers[key] == nil {
                guard let response = responses[key] else { continue }
                if let issue = request.problem(with: response) {
                    problem = MCPError(code: .invalidParams, message: "tasks/update: inputResponses.\(key) \(issue)")
                    return
                }
                state.answers[key] = response
            }
            let open = pending.requests.filter { state.answers[$0.key] == nil }
            if open.isEmpty {
                var answers: [String: JSONValue] = [:]
                for (key, _) in pending.requests { answers[key] = state.answers[key] }
                resume = (pending.continuation, answers)
                state.pending = nil
                state.status = .working
                state.statusMessage = nil
            } else {
                state.statusMessage = "Waiting for input: \(open.map(\.key).joined(separator: ", "))"
            }
        }
        if let problem { throw problem }
        if let (continuation, answers) = resume { continuation.resume(returning: answers) }
    }
}
