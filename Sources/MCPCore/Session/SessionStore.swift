import Crypto
import Synchronization

/// All live legacy sessions, with a cap and an idle reaper.
///
/// Clients rarely send DELETE, so sessions that stay idle past the timeout are removed
/// (never while a request or a server→client request is in flight), and creation past
/// the cap is refused so an initialize flood cannot exhaust memory.
public final class SessionStore: Sendable {
    public struct Limits: Sendable {
        public var maximumSessions: Int
        public var idleTimeout: Duration
        /// Resource URIs one session may subscribe to.
        public var maximumSubscriptions: Int

        public init(maximumSessions: Int = 10_000, idleTimeout: Duration = .seconds(1800), maximumSubscriptions: Int = 1_000) {
            self.maximumSessions = maximumSessions
            self.idleTimeout = idleTimeout
            self.maximumSubscriptions = maximumSubscriptions
        }
    }

    public let limits: Limits
    /// Where every session's SSE streams keep their events.
    public let eventLog: EventLog
    /// Whether SSE events carry ids and can be replayed (`Last-Event-ID`).
    public let resumable: Bool
    private let sessions = Mutex<[String: Session]>([:])

    public init(limits: Limits = Limits(), eventLog: EventLog = EventLog(), resumable: Bool = true) {
        self.limits = limits
        self.eventLog = eventLog
        self.resumable = resumable
    }

    public var count: Int { sessions.withLock { $0.count } }

    /// Creates a session, or returns `nil` when the cap is reached.
    public func create(protocolVersion: ProtocolVersion, clientCapabilities: JSONObject, clientInfo: JSONObject?, owner: String? = nil) -> Session? {
        let session = Session(
            id: Self.makeID(), protocolVersion: protocolVersion, clientCapabilities: clientCapabilities, clientInfo: clientInfo,
            eventLog: eventLog, resumable: resumable, maximumSubscriptions: limits.maximumSubscriptions, owner: owner)
        let inserted = sessions.withLock { sessions -> Bool in
            guard sessions.count < limits.maximumSessions else { return false }
            sessions[session.id] = session
            return true
        }
        return inserted ? session : nil
    }

    /// Looks a session up and marks it active.
    public func session(id: String) -> Session? {
        let session = sessions.withLock { $0[id] }
        session?.touch()
        return session
    }

    /// Looks a session up for `principal` and marks it active. A session opened by another
    /// principal is reported as absent, so its id is worth nothing to anyone else.
    public func session(id: String, for principal: Principal?) -> Session? {
        guard let session = sessions.withLock({ $0[id] }), session.owner == principal?.id else { return nil }
        session.touch()
        return session
    }

    /// Ends `principal`'s session (DELETE); `false` when the id is unknown or belongs to someone else.
    public func remove(id: String, for principal: Principal?) -> Bool {
        let removed = sessions.withLock { sessions -> Session? in
            guard sessions[id]?.owner == principal?.id else { return nil }
            return sessions.removeValue(forKey: id)
        }
        removed?.close()
        return removed != nil
    }

    /// Whether the session still exists, without marking it active (for owners of
    /// per-session resources checking whether to let them go).
    public func contains(id: String) -> Bool {
        sessions.withLock { $0[id] != nil }
    }

    /// Ends a session (DELETE, shutdown); `false` when the id is unknown.
    @discardableResult
    public func remove(id: String) -> Bool {
        guard let session = sessions.withLock({ $0.removeValue(forKey: id) }) else { return false }
        session.close()
        return true
    }

    public var all: [Session] { sessions.withLock { Array($0.values) } }

    /// Removes sessions idle longer than the timeout and without work in flight; returns how many.
    @discardableResult
    public func reapIdle(now: ContinuousClock.Instant = .now) -> Int {
        let expired = sessions.withLock { sessions -> [Session] in
            var expired: [Session] = []
            for (id, session) in sessions {
                let idle = session.state.withLock { state in
                    state.inFlight.isEmpty && state.pendingServerRequests.isEmpty
                        && !(state.standaloneStream?.isAttached ?? false)
                        && state.pushStream == nil
                        && now - state.lastActivity > limits.idleTimeout
                }
                if idle {
                    sessions[id] = nil
                    expired.append(session)
                }
            }
            return expired
        }
        for session in expired { session.close() }
        return expired.count
    }

    public func removeAll() {
        let all = sessions.withLock { sessions in
            defer { sessions.removeAll() }
            return Array(sessions.values)
        }
        for session in all { session.close() }
    }

    /// 256 random bits as 43 base64url characters: visible ASCII, unguessable (transports §Session Management).
    public static func makeID() -> String {
        // One call into BoringSSL's CSPRNG instead of four getrandom(2) system calls.
        SymmetricKey(size: .bits256).withUnsafeBytes { Base64URL.encode($0) }
    }
}
