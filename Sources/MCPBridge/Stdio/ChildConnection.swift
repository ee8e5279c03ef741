import Logging
import MCPCore
import Synchronization

/// The JSON-RPC conversation with one running child, over its stdin and stdout.
///
/// Remote requests get ids from one per-child integer counter (the Python SDK treats `"7"`
/// and `7` as the same id, so strings are never mixed in), and the child's progress
/// tokens are those same integers; both map back to exactly the call that asked. Messages
/// go straight into the child's stdin from the sending task (``ChildPipes``, never blocking).
final class ChildConnection: Sendable {
    /// What reaches a waiting call while the child works on it.
    enum Event: Sendable {
        case progress(JSONObject)
        case log(JSONObject)
        /// A server→client request (sampling, elicitation, roots) the child sent while this was
        /// its only call in flight, so it can only belong to this one.
        case request(JSONRPCRequest)
        case result(JSONValue)
        case failure(any Error)
    }

    /// A request in flight: where its events arrive.
    struct Call: Sendable {
        let connection: ChildConnection
        let id: Int
        let events: AsyncStream<Event>
    }

    private struct Pending {
        var method: String
        var events: AsyncStream<Event>.Continuation
        var deadline: ContinuousClock.Instant?
        /// Calls Portico makes for itself (initialize, lists) get no relayed requests or logs.
        var remote: Bool
    }

    private struct State {
        var nextID = 1
        var pending: [Int: Pending] = [:]
        var failure: BridgeFailure?
        var ping: (id: Int, sent: ContinuousClock.Instant)?
        var lastActivity = ContinuousClock.now
    }

    let source: String
    let pid: Int32
    private let state = Mutex(State())
    private let pipes: ChildPipes
    private let logger: Logger
    private let onListChanged: @Sendable (Registry.List) -> Void
    /// Called whenever a call leaves the table, however it ended (answered, cancelled, timed
    /// out, failed), so calls waiting for a free `max_in_flight` place are woken even when no
    /// task follows the call (a parked 2026-07-28 call).
    private let onCallEnded: @Sendable () -> Void

    init(
        source: String, pid: Int32, pipes: ChildPipes, logger: Logger, onListChanged: @escaping @Sendable (Registry.List) -> Void,
        onCallEnded: @escaping @Sendable () -> Void
    ) {
        self.onCallEnded = onCallEnded
        self.source = source
        self.pid = pid
        self.pipes = pipes
        self.logger = logger
        self.onListChanged = onListChanged
    }

    /// Calls in flight that remote clients made.
    var remoteCallsInFlight: Int { state.withLock { $0.pending.values.count(where: \.remote) } }

    var failure: BridgeFailure? { state.withLock { $0.failure } }

    // MARK: Outgoing

    /// Sends a request and returns its events; the last one is `.result` or `.failure`.
    /// `progress` asks the child for progress, under a token that is the request's own id.
    /// Returns `nil` when `limit` remote calls are already in flight.
    func send(method: String, params: JSONObject, progress: Bool, timeout: Duration?, remote: Bool, limit: Int? = nil) throws(BridgeFailure) -> Call? {
        let (events, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(1_024))
        let id: Int? = try state.withLock { state throws(BridgeFailure) in
            if let failure = state.failure { throw failure }
            if let limit, state.pending.values.count(where: \.remote) >= limit { return nil }
            let id = state.nextID
            state.nextID += 1
            state.pending[id] = Pending(method: method, events: continuation, deadline: timeout.map { .now + $0 }, remote: remote)
            return id
        }
        guard let id else { return nil }
        var params = params
        if progress {
            var meta = params["_meta"]?.objectValue ?? [:]
            meta["progressToken"] = .number(JSONNumber(id))
            params["_meta"] = .object(meta)
        }
        pipes.write(Self.frame(JSONRPCEncoding.request(id: JSONRPCID(id), method: method, params: params)))
        return Call(connection: self, id: id, events: events)
    }

    /// Sends a request Portico needs for itself and waits for the result.
    func request(_ method: String, params: JSONObject = [:], timeout: Duration) async throws -> JSONValue {
        guard let call = try send(method: method, params: params, progress: false, timeout: timeout, remote: false) else { throw CancellationError() }
        return try await withTaskCancellationHandler {
            for await event in call.events {
                switch event {
                case .result(let value): return value
                case .failure(let error): throw error
                case .progress, .log, .request: continue
                }
            }
            throw CancellationError()
        } onCancel: {
            self.cancel(call.id, reason: "cancelled by Portico")
        }
    }

    func notify(_ method: String, params: JSONObject = [:]) {
        pipes.write(Self.frame(JSONRPCNotification(method: method, params: params).encoded()))
    }

    /// Stops waiting for `id` and tells the child (`notifications/cancelled`); the child never
    /// answers a cancelled request (basic/utilities/cancellation), so the entry goes now.
    func cancel(_ id: Int, reason: String) {
        let pending = state.withLock { $0.pending.removeValue(forKey: id) }
        guard let pending else { return }
        pending.events.yield(.failure(CancellationError()))
        pending.events.finish()
        onCallEnded()
        notify("notifications/cancelled", params: ["requestId": .number(JSONNumber(id)), "reason": .string(reason)])
    }

    /// Answers a request the child sent us.
    func respond(to id: JSONRPCID, _ outcome: Result<JSONValue, MCPError>) {
        let bytes = switch outcome {
        case .success(let value): JSONRPCEncoding.result(id: id, result: value.objectValue ?? [:])
        case .failure(let error): JSONRPCEncoding.error(error, id: id)
        }
        pipes.write(Self.frame(bytes))
    }

    private static func frame(_ bytes: [UInt8]) -> [UInt8] {
        var framed = bytes
        framed.append(0x0A)
        return framed
    }

    // MARK: Incoming

    /// Routes one line from the child's stdout. Anything that is not a JSON-RPC message is a
    /// broken child: the caller ends it.
    func receive(_ line: [UInt8]) throws(BridgeFailure) {
        let message: JSONRPCMessage
        do {
            message = try JSONRPCMessage(json: try JSONParser.parse(line))
        } catch {
            throw .garbage(source: source, sample: Self.sample(line))
        }
        state.withLock { $0.lastActivity = .now }
        switch message {
        case .response(let response):
            deliver(response)
        case .notification(let notification):
            route(notification)
        case .request(let request):
            route(request)
        }
    }

    private func deliver(_ response: JSONRPCResponse) {
        guard let id = response.id.intValue else { return }
        let pending: Pending? = state.withLock { state in
            if state.ping?.id == id {
                state.ping = nil
                return nil
            }
            return state.pending.removeValue(forKey: id)
        }
        guard let pending else { return }
        switch response.outcome {
        case .success(let value): pending.events.yield(.result(value))
        case .failure(let error): pending.events.yield(.failure(error))
        }
        pending.events.finish()
        onCallEnded()
    }

    private func route(_ notification: JSONRPCNotification) {
        switch notification.method {
        case "notifications/progress":
            guard let token = notification.params["progressToken"]?.numberValue?.int64Value else { return }
            let events = state.withLock { $0.pending[Int(token)]?.events }
            events?.yield(.progress(notification.params))
        case "notifications/message":
            // stdio carries no related-request id, so a log line can be attributed only when
            // exactly one remote call is in flight; otherwise it goes to Portico's own log.
            if let events = soleRemoteCall() {
                events.yield(.log(notification.params))
            } else {
                logger.info("child log", metadata: ["mcp.source": "\(source)", "data": "\(notification.params["data"]?.jsonString ?? "")"])
            }
        case "notifications/tools/list_changed": onListChanged(.tools)
        case "notifications/resources/list_changed": onListChanged(.resources)
        case "notifications/prompts/list_changed": onListChanged(.prompts)
        default: break
        }
    }

    private func route(_ request: JSONRPCRequest) {
        if request.method == "ping" {
            respond(to: request.id, .success(.object([:])))
            return
        }
        guard let events = soleRemoteCall() else {
            let calls = remoteCallsInFlight
            respond(to: request.id, .failure(MCPError(
                code: .internalError,
                message: "Portico cannot relay \(request.method): \(calls) calls are in flight on this process and stdio does not say which one asks; run this server with max_in_flight: 1 to relay its requests")))
            return
        }
        events.yield(.request(request))
    }

    private func soleRemoteCall() -> AsyncStream<Event>.Continuation? {
        state.withLock { state in
            var found: AsyncStream<Event>.Continuation?
            for pending in state.pending.values where pending.remote {
                if found != nil { return nil }
                found = pending.events
            }
            return found
        }
    }

    private static func sample(_ line: [UInt8]) -> String {
        let prefix = String(decoding: line.prefix(120), as: UTF8.self)
        return "\"" + prefix + (line.count > 120 ? "…" : "") + "\""
    }

    // MARK: Failure and time

    /// Ends every call with `failure`; later sends fail with it too.
    func fail(_ failure: BridgeFailure) {
        let pending = state.withLock { state -> [Pending] in
            if state.failure == nil { state.failure = failure }
            defer { state.pending.removeAll() }
            return Array(state.pending.values)
        }
        for call in pending {
            call.events.yield(.failure(failure))
            call.events.finish()
        }
        pipes.closeInput()
        if !pending.isEmpty { onCallEnded() }
    }

    /// Times out calls past their deadline, and pings a busy child; returns a failure when the
    /// child has not answered a ping within `hangTimeout`.
    func sweep(now: ContinuousClock.Instant, hangTimeout: Duration, callTimeoutSeconds: Int) -> BridgeFailure? {
        let (expired, sendPing, hung) = state.withLock { state -> ([(Int, Pending)], Int?, Bool) in
            let expired = state.pending.filter { $0.value.deadline.map { $0 <= now } ?? false }
            for (id, _) in expired { state.pending.removeValue(forKey: id) }
            if let ping = state.ping {
                return (Array(expired), nil, now - ping.sent > hangTimeout)
            }
            // Ping only a child that owes answers and has said nothing for a while.
            // Only once the handshake is done: a child still importing its libraries reads nothing.
            let owesRemoteAnswers = state.pending.values.contains(where: \.remote) || expired.contains(where: \.value.remote)
            guard owesRemoteAnswers, now - state.lastActivity > hangTimeout / 2 else {
                return (Array(expired), nil, false)
            }
            let id = state.nextID
            state.nextID += 1
            state.ping = (id, now)
            return (Array(expired), id, false)
        }
        for (id, call) in expired {
            call.events.yield(.failure(BridgeFailure.timedOut(source: source, method: call.method, seconds: callTimeoutSeconds)))
            call.events.finish()
            notify("notifications/cancelled", params: ["requestId": .number(JSONNumber(id)), "reason": "call_timeout_seconds exceeded"])
        }
        if !expired.isEmpty { onCallEnded() }
        if let sendPing {
            pipes.write(Self.frame(JSONRPCEncoding.request(id: JSONRPCID(sendPing), method: "ping", params: [:])))
        }
        return hung ? .hung(source: source, seconds: Int(hangTimeout.components.seconds)) : nil
    }
}

extension JSONRPCID {
    /// The integer value of a numeric id (the bridge's own ids are always integers).
    var intValue: Int? {
        guard case .number(let number) = self, let value = number.int64Value else { return nil }
        return Int(value)
    }
}
