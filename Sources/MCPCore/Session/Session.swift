import Synchronization

/// One legacy-era (2025-03-26 … 2025-11-25) client session, created by `initialize`.
///
/// Holds only what the protocol makes stateful: the negotiated version and client
/// capabilities, the log level set by `logging/setLevel`, requests in flight (so
/// `notifications/cancelled` can reach them), server→client requests awaiting the
/// client's POSTed response, the standalone GET stream, and resource subscriptions.
public final class Session: Sendable {
    public let id: String
    public let protocolVersion: ProtocolVersion
    public let clientCapabilities: JSONObject
    public let clientInfo: JSONObject?
    /// The principal that opened the session (``Principal/id``); `nil` when authentication is off.
    public let owner: String?

    struct State {
        var logLevel: LoggingLevel?
        var lastActivity: ContinuousClock.Instant
        var inFlight: [JSONRPCID: @Sendable () -> Void] = [:]
        var pendingServerRequests: [JSONRPCID: CheckedContinuation<JSONValue, any Error>] = [:]
        var nextServerRequestNumber = 0
        /// The GET stream, created by the first GET and kept (with its events) until the session ends.
        var standaloneStream: ReplayStream?
        /// SSE streams of this session whose events are kept for `Last-Event-ID`, by number.
        var replayStreams: [Int: ReplayStream] = [:]
        var nextStreamNumber = 0
        /// The one stream of a 2024-11-05 HTTP+SSE session: replies and notifications alike.
        var pushStream: MessageStream?
        var subscriptions: Set<String> = []
        var closed = false
    }

    let state: Mutex<State>
    let eventLog: EventLog
    /// Whether this session's SSE events carry ids and can be replayed.
    public let resumable: Bool
    let maximumSubscriptions: Int

    init(
        id: String, protocolVersion: ProtocolVersion, clientCapabilities: JSONObject, clientInfo: JSONObject?,
        eventLog: EventLog = EventLog(), resumable: Bool = true, maximumSubscriptions: Int = 1_000, owner: String? = nil
    ) {
        self.id = id
        self.owner = owner
        self.protocolVersion = protocolVersion
        self.clientCapabilities = clientCapabilities
        self.clientInfo = clientInfo
        self.eventLog = eventLog
        self.resumable = resumable
        self.maximumSubscriptions = maximumSubscriptions
        self.state = Mutex(State(lastActivity: .now))
    }

    /// The level set by `logging/setLevel`; until then `info`, so tool logs reach clients that never set one.
    public var logLevel: LoggingLevel { state.withLock { $0.logLevel ?? .info } }

    public func setLogLevel(_ level: LoggingLevel) { state.withLock { $0.logLevel = level } }

    public var isClosed: Bool { state.withLock { $0.closed } }

    func touch() { state.withLock { $0.lastActivity = .now } }

    /// Records a request in flight; `false` when a request with the same id is already running.
    public func beginRequest(_ id: JSONRPCID, cancel: @escaping @Sendable () -> Void) -> Bool {
        state.withLock { state in
            state.lastActivity = .now
            guard state.inFlight[id] == nil else { return false }
            state.inFlight[id] = cancel
            return true
        }
    }

    public func endRequest(_ id: JSONRPCID) {
        state.withLock { state in
            state.inFlight[id] = nil
            state.lastActivity = .now
        }
    }

    /// Handles `notifications/cancelled`: unknown or finished ids are ignored, as the spec allows.
    public func cancelRequest(_ id: JSONRPCID) {
        let cancel = state.withLock { $0.inFlight[id] }
        cancel?()
    }

    public var hasWorkInFlight: Bool {
        state.withLock { !$0.inFlight.isEmpty || !$0.pendingServerRequests.isEmpty }
    }

    // MARK: Server → client requests (sampling, elicitation, roots)

    /// Sends a request to the client on `stream` and waits for the response the client POSTs back.
    func sendRequest(method: String, params: JSONObject, on stream: MessageStream) async throws -> JSONValue {
        let id: JSONRPCID = state.withLock { state in
            state.nextServerRequestNumber += 1
            return .string("portico-\(state.nextServerRequestNumber)")
        }
        let bytes = JSONRPCEncoding.request(id: id, method: method, params: params)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<JSONValue, any Error>) in
                let accepted = state.withLock { state -> Bool in
                    guard !state.closed else { return false }
                    state.pendingServerRequests[id] = continuation
                    return true
                }
                guard accepted else {
                    continuation.resume(throwing: MCPError.internalError("The session ended before the client answered \(method)"))
                    return
                }
                // Cancelled before the continuation was registered: `onCancel` already ran and found nothing.
                if Task.isCancelled {
                    self.resolve(id, with: .failure(CancellationError()))
                    return
                }
                Task {
                    if await !stream.send(bytes) {
                        self.resolve(id, with: .failure(MCPError.internalError("\(method) could not be delivered: the client disconnected or accepts only application/json")))
                    }
                }
            }
        } onCancel: {
            self.resolve(id, with: .failure(CancellationError()))
        }
    }

    /// Delivers the client's response to a server→client request; `false` if nothing waits for that id.
    @discardableResult
    public func resolve(_ id: JSONRPCID, with outcome: Result<JSONValue, any Error>) -> Bool {
        let continuation = state.withLock { $0.pendingServerRequests.removeValue(forKey: id) }
        guard let continuation else { return false }
        continuation.resume(with: outcome)
        return true
    }

    // MARK: SSE streams

    /// A new numbered stream for a POST response that turned into SSE.
    public func openReplayStream() -> ReplayStream {
        state.withLock { state in
            let stream = numberedStream(&state)
            // A closed session keeps nothing: the stream still works for its reader but is not stored.
            if resumable, !state.closed {
                Self.forgetSpentStreams(&state)
                state.replayStreams[stream.number] = stream
            }
            return stream
        }
    }

    /// A stream with the session's next number (ids `<number>-<sequence>` are unique per session).
    private func numberedStream(_ state: inout State) -> ReplayStream {
        state.nextStreamNumber += 1
        return ReplayStream(number: state.nextStreamNumber, log: eventLog, keepsDeliveredEvents: resumable)
    }

    /// Finished streams whose events are all gone can never be resumed; sweeping them when
    /// the table grows keeps it proportional to the live window at amortised O(1) per stream.
    private static func forgetSpentStreams(_ state: inout State) {
        guard state.replayStreams.count >= 32, state.replayStreams.count.nonzeroBitCount == 1 else { return }
        state.replayStreams = state.replayStreams.filter { !($0.value.isFinished && $0.value.isEmpty) }
    }

    /// The stream a `Last-Event-ID` names, if this session has it.
    public func replayStream(number: Int) -> ReplayStream? {
        state.withLock { $0.replayStreams[number] }
    }

    /// The GET stream, created on first use; `nil` once the session is closed.
    public func standaloneStream(create: Bool) -> ReplayStream? {
        state.withLock { state in
            if let existing = state.standaloneStream { return existing }
            guard create, !state.closed else { return nil }
            let stream = numberedStream(&state)
            state.standaloneStream = stream
            if resumable { state.replayStreams[stream.number] = stream }
            return stream
        }
    }

    var standaloneStream: ReplayStream? { state.withLock { $0.standaloneStream } }

    /// Makes `stream` (a 2024-11-05 HTTP+SSE connection's) the session's way to push
    /// notifications; while it is set the session counts as connected. `false` if one is set.
    public func attachPushStream(_ stream: MessageStream) -> Bool {
        state.withLock { state in
            guard state.pushStream == nil else { return false }
            state.pushStream = stream
            return true
        }
    }

    var pushStream: MessageStream? { state.withLock { $0.pushStream } }

    // MARK: Resource subscriptions

    /// Subscribes to `uri`; `false` when the session already holds its maximum of subscriptions.
    public func subscribe(_ uri: String) -> Bool {
        state.withLock { state in
            guard state.subscriptions.count < maximumSubscriptions || state.subscriptions.contains(uri) else { return false }
            state.subscriptions.insert(uri)
            return true
        }
    }

    public func unsubscribe(_ uri: String) { _ = state.withLock { $0.subscriptions.remove(uri) } }
    public func isSubscribed(_ uri: String) -> Bool { state.withLock { $0.subscriptions.contains(uri) } }

    /// Ends the session: cancels its work, fails pending server requests, discards its streams' events.
    func close() {
        let (cancels, pending, streams) = state.withLock { state in
            state.closed = true
            var streams = Array(state.replayStreams.values)
            if let standalone = state.standaloneStream, state.replayStreams[standalone.number] == nil { streams.append(standalone) }
            let result = (Array(state.inFlight.values), Array(state.pendingServerRequests.values), streams)
            state.inFlight.removeAll()
            state.pendingServerRequests.removeAll()
            state.standaloneStream = nil
            state.replayStreams.removeAll()
            return result
        }
        for cancel in cancels { cancel() }
        for continuation in pending { continuation.resume(throwing: MCPError.internalError("The session ended")) }
        for stream in streams { stream.discard() }
    }
}
