import Logging
import MCPCore
public import ServiceLifecycle
import Synchronization

/// Cancels requests that run user code (`tools/call`, `prompts/get`, `resources/read`) once
/// they pass `limits.call_timeout_seconds`, and answers them with an error that says so.
///
/// A front proxy gives up on a silent connection after its read timeout (nginx: 504 before
/// the headers, a truncated stream after); a bounded call guarantees the app answers first.
/// One service sweeps a dictionary four times a second: a call costs an entry, not a timer.
/// Cancellation is cooperative: a handler that never awaits finishes before it is stopped.
public final class CallDeadlines: Service, Sendable {
    /// The limit; `nil` turns deadlines off.
    public let limit: Duration?
    private struct Entry {
        let deadline: ContinuousClock.Instant
        let cancel: @Sendable () -> Void
        var fired = false
    }
    private struct State {
        var entries: [Int: Entry] = [:]
        var nextKey = 0
    }
    private let state = Mutex(State())

    public init(limit: Duration?) {
        self.limit = limit.flatMap { $0 > .zero ? $0 : nil }
    }

    /// Runs `request` on `server`; past the limit, `cancel` stops it and the outcome is a timeout.
    /// `timedOut` tells the caller the cancellation was ours: the request is answered anyway.
    func handle(
        _ request: JSONRPCRequest, context: HandlerContext, server: MCPServer, cancel: @escaping @Sendable () -> Void
    ) async -> (outcome: Result<JSONObject, MCPError>, timedOut: Bool) {
        guard let limit, Self.boundedMethods.contains(request.method) else {
            return (await server.handle(request, context: context), false)
        }
        let key = state.withLock { state in
            state.nextKey += 1
            state.entries[state.nextKey] = Entry(deadline: .now + limit, cancel: cancel)
            return state.nextKey
        }
        var fired = false
        let outcome = await server.handle(request, context: context) { outcome in
            fired = state.withLock { $0.entries.removeValue(forKey: key)?.fired ?? false }
            // A call that finished as the deadline passed keeps its own answer (but is still answered).
            guard fired, case .failure = outcome else { return nil }
            return timeoutAnswer(to: request, limit: limit, logger: context.logger)
        }
        return (outcome, fired)
    }

    /// What a call cut by the deadline is answered: a tool error for `tools/call` (the model
    /// reads it), a JSON-RPC error otherwise. The server counts this answer, not a cancellation.
    private func timeoutAnswer(to request: JSONRPCRequest, limit: Duration, logger: Logger) -> Result<JSONObject, MCPError> {
        let seconds = limit.components.seconds
        logger.warning("call timed out", metadata: ["mcp.method": "\(request.method)", "mcp.id": "\(request.id)", "timeout_s": "\(seconds)"])
        if request.method == "tools/call" {
            let name = request.params["name"]?.stringValue ?? "?"
            return .success(ToolResult.error("Tool '\(name)' did not finish within \(seconds) s and was cancelled (limits.call_timeout_seconds)").json)
        }
        return .failure(MCPError(code: .internalError, message: "\(request.method) did not finish within \(seconds) s and was cancelled (limits.call_timeout_seconds)"))
    }

    /// Methods that run user code; `tasks/result` and the like wait on purpose and are not bounded.
    static let boundedMethods: Set<String> = ["tools/call", "prompts/get", "resources/read", "completion/complete"]

    public var pendingCount: Int { state.withLock { $0.entries.count } }

    public func run() async throws {
        guard limit != nil else {
            try? await gracefulShutdown()
            return
        }
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: .milliseconds(250))
                let now = ContinuousClock.now
                let overdue = self.state.withLock { state -> [@Sendable () -> Void] in
                    var cancels: [@Sendable () -> Void] = []
                    for (key, entry) in state.entries where !entry.fired && entry.deadline <= now {
                        state.entries[key]?.fired = true
                        cancels.append(entry.cancel)
                    }
                    return cancels
                }
                for cancel in overdue { cancel() }
            }
        }
    }
}
