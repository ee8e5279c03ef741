import CoreMetrics
import Logging
import MCPCore
import Synchronization

/// An existing stdio MCP server published through Portico: a warm pool of child processes,
/// initialized once, whose tools, resources and prompts join Portico's registry and serve
/// remote clients of both eras.
///
/// Remote calls are multiplexed onto the least busy ready child (up to `max_in_flight`
/// each); every event the child sends for a call (progress, a log line, a request for
/// input, the result) goes back to exactly that call. A child that dies, hangs or writes
/// garbage fails only its own calls and is restarted with backoff.
public final class StdioSource: Sendable {
    public let name: String
    let slots: [ChildSlot]
    let changes: ChangeSignal
    let maxInFlight: Int
    let prefix: String
    let catalog: SourceCatalog
    let parking: ParkedCalls
    let sessions: SessionChildren?
    let logger: Logger
    let restarts: RestartTally
    /// `portico_bridge_call_duration_seconds{source}`: a remote call from send to result.
    let callDuration: Timer?
    private let stopped = Atomic(false)

    init(
        name: String, command: ChildCommand, pool: Int, maxInFlight: Int, prefix: String?, sessions: SessionChildren?,
        changes: ChangeSignal, restarts: RestartTally, registry: Registry, owners: ToolOwners, parkingLifetime: Duration,
        metrics: (any MetricsFactory)?, logger: Logger
    ) {
        self.restarts = restarts
        self.callDuration = metrics.map { Timer(label: "portico_bridge_call_duration_seconds", dimensions: [("source", name)], factory: $0) }
        self.name = name
        self.maxInFlight = maxInFlight
        self.prefix = prefix ?? ""
        self.logger = logger
        self.sessions = sessions
        self.changes = changes
        self.parking = ParkedCalls(lifetime: parkingLifetime)
        self.slots = (0..<pool).map { ChildSlot(index: $0, command: command, changes: changes, restarts: restarts, logger: logger) }
        self.catalog = SourceCatalog(source: name, prefix: prefix ?? "", registry: registry, owners: owners, logger: logger)
    }

    /// Keeps the pool (and, in per-session mode, each session's child) running until stopped.
    func run() async {
        await withDiscardingTaskGroup { group in
            for slot in slots {
                group.addTask {
                    await slot.run(
                        onReady: { connection, initialized in
                            try await self.catalog.refresh(from: connection, initialized: initialized, source: self)
                        },
                        onListChanged: { list in self.refreshSoon(list) })
                }
            }
            group.addTask {
                while !self.stopped.load(ordering: .relaxed) && !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    // Parked calls whose client never came back are cancelled in the child.
                    self.parking.expire(now: .now)
                    self.sessions?.reap()
                }
            }
            if let sessions {
                for await slot in sessions.started {
                    group.addTask { await slot.run(onReady: { _, _ in }, onListChanged: { _ in }) }
                }
            }
        }
    }

    func stop() {
        stopped.store(true, ordering: .relaxed)
        for slot in slots { slot.stop() }
        sessions?.stopAll()
    }

    /// Waits until every child has either started or failed once; returns the first failure
    /// when none started.
    func waitForFirstStart() async throws -> BridgeFailure? {
        try await changes.wait { () -> BridgeFailure?? in
            var failures: [BridgeFailure] = []
            for slot in slots {
                switch slot.current {
                case .ready: return .some(nil)
                case .down(let failure, _): failures.append(failure)
                case .starting, .stopped: break
                }
            }
            return failures.count == slots.count ? .some(failures.first) : nil
        }
    }

    private func refreshSoon(_ list: Registry.List) {
        Task {
            guard let connection = readyConnections().first else { return }
            do {
                try await catalog.refresh(list, from: connection, source: self)
            } catch {
                logger.warning("could not refresh the list after list_changed", metadata: ["mcp.source": "\(name)", "list": "\(list)", "error": "\(error)"])
            }
        }
    }

    /// The source's `call_timeout_seconds` (or the global limit), for every forwarded request.
    var callTimeout: Duration? { slots.first?.command.callTimeout }

    func readyConnections(in slots: [ChildSlot]? = nil) -> [ChildConnection] {
        (slots ?? self.slots).compactMap { slot in
            if case .ready(let connection) = slot.current { connection } else { nil }
        }
    }

    // MARK: Calls

    /// Sends `method` to the least busy ready child, waiting for a free slot when every child
    /// is at `max_in_flight`, or for a child that is still starting.
    func start(_ method: String, params: JSONObject, progress: Bool, timeout: Duration?, sessionID: String?) async throws -> ChildConnection.Call {
        // Per-session mode: a legacy session's calls go to its own child; stateless calls share the pool.
        let slots = try sessionID.flatMap { try sessions?.slot(for: $0) }.map { [$0] } ?? self.slots
        return try await changes.wait { () throws -> ChildConnection.Call? in
            let ready = readyConnections(in: slots).sorted { $0.remoteCallsInFlight < $1.remoteCallsInFlight }
            for connection in ready {
                if let call = try? connection.send(method: method, params: params, progress: progress, timeout: timeout, remote: true, limit: maxInFlight) {
                    return call
                }
            }
            if ready.isEmpty {
                var lastFailure: BridgeFailure?
                for slot in slots {
                    switch slot.current {
                    case .starting, .ready, .down(_, wasReady: true): return nil
                    case .down(let failure, wasReady: false): lastFailure = failure
                    case .stopped: break
                    }
                }
                throw BridgeFailure.unavailable(source: name, reason: lastFailure.map { "\($0)" } ?? "it was stopped")
            }
            return nil
        }
    }

    /// Suggestions from the child's `completion/complete` for a prompt argument or template
    /// variable; none when the server does not offer completions or does not answer in time.
    func complete(_ reference: JSONObject, argument: String, prefix: String, context: [String: String]) async -> [String] {
        guard catalog.offersCompletions, let connection = readyConnections().min(by: { $0.remoteCallsInFlight < $1.remoteCallsInFlight }) else {
            return []
        }
        var params: JSONObject = ["ref": .object(reference), "argument": ["name": .string(argument), "value": .string(prefix)]]
        if !context.isEmpty { params["context"] = ["arguments": .object(BridgedEntries.object(context))] }
        guard let result = try? await connection.request("completion/complete", params: params, timeout: .seconds(5)) else { return [] }
        return result.objectValue?["completion"]?.objectValue?["values"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// Forwards one remote request and follows it to its result; a retried 2026-07-28 request
    /// carrying a parked call's token picks that call up where it stopped.
    func forward(_ method: String, params: JSONObject, context: HandlerContext) async throws -> JSONValue {
        let start = ContinuousClock.now
        defer { callDuration?.recordElapsed(since: start) }
        do {
            return try await forwardOnce(method, params: params, context: context)
        } catch let failure as BridgeFailure {
            throw failure.mcpError
        }
    }

    private func forwardOnce(_ method: String, params: JSONObject, context: HandlerContext) async throws -> JSONValue {
        let call: ChildConnection.Call
        if let token = context.savedState?.objectValue?[ParkedCalls.stateKey]?.stringValue {
            guard let parked = parking.take(token) else {
                throw MCPError(code: .invalidParams, message: "stdio source '\(name)': the call waiting for this input is gone (it expired, or Portico restarted); call again")
            }
            call = parked.call
            do {
                try await relay(parked.request, token: token, call: call, context: context)
            } catch let error where !(error is InputRequired) {
                // Nobody follows this call any more: stop it in the child too.
                call.connection.cancel(call.id, reason: "the client's retry ended before the answer reached the server")
                throw error
            }
        } else {
            call = try await start(method, params: params, progress: context.progressToken != nil, timeout: callTimeout, sessionID: context.sessionID)
        }
        return try await follow(call, context: context)
    }

    private func follow(_ call: ChildConnection.Call, context: HandlerContext) async throws -> JSONValue {
        try await withTaskCancellationHandler {
            for await event in call.events {
                switch event {
                case .result(let value):
                    return value
                case .failure(let error):
                    throw error
                case .progress(let params):
                    guard let progress = params["progress"]?.numberValue?.doubleValue else { continue }
                    await context.reportProgress(progress, total: params["total"]?.numberValue?.doubleValue, message: params["message"]?.stringValue)
                case .log(let params):
                    let level = params["level"]?.stringValue.flatMap(LoggingLevel.init(rawValue:)) ?? .info
                    await context.log(level, params["data"] ?? .null, logger: params["logger"]?.stringValue)
                case .request(let request):
                    try await relay(request, token: parking.newToken(), call: call, context: context)
                }
            }
            throw CancellationError()
        } onCancel: {
            call.connection.cancel(call.id, reason: "the client cancelled the request")
        }
    }

    /// Puts the child's question to the remote client: at once on a legacy session's stream,
    /// or, for a 2026-07-28 client, as an `InputRequiredResult` while the child's call waits
    /// parked under `token` for the retry (basic/patterns/mrtr).
    private func relay(_ request: JSONRPCRequest, token: String, call: ChildConnection.Call, context: HandlerContext) async throws {
        do {
            let answer = try await context.input(token, InputRequest(method: request.method, params: request.params))
            call.connection.respond(to: request.id, .success(answer))
        } catch let required as InputRequired {
            parking.park(token, ParkedCalls.Entry(call: call, request: request))
            throw InputRequired(required.requests, state: [ParkedCalls.stateKey: .string(token)])
        } catch let error as MCPError {
            call.connection.respond(to: request.id, .failure(error))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            call.connection.respond(to: request.id, .failure(.internalError("\(error)")))
        }
    }
}
