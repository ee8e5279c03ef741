import MCPCore
import Synchronization

/// Child calls waiting for a 2026-07-28 client to come back with input.
///
/// A stateless client answers an `InputRequiredResult` by retrying the request; the child,
/// written for 2025, is still waiting on its own server→client request. The call stays here,
/// keyed by a token sealed into the `requestState`, for at most `lifetime`; after that it is
/// cancelled in the child.
final class ParkedCalls: Sendable {
    static let stateKey = "portico.bridge"

    struct Entry: Sendable {
        var call: ChildConnection.Call
        /// The child's request the client is answering.
        var request: JSONRPCRequest
        var expires: ContinuousClock.Instant = .now
    }

    private let lifetime: Duration
    private let entries = Mutex<[String: Entry]>([:])

    init(lifetime: Duration) {
        self.lifetime = lifetime
    }

    /// A token no other waiting call has, before or after a restart (a sealed `requestState`
    /// outlives the process); it doubles as the input request's key.
    func newToken() -> String {
        SessionStore.makeID()
    }

    func park(_ token: String, _ entry: Entry) {
        var entry = entry
        entry.expires = .now + lifetime
        entries.withLock { $0[token] = entry }
    }

    func take(_ token: String) -> Entry? {
        entries.withLock { $0.removeValue(forKey: token) }
    }

    func expire(now: ContinuousClock.Instant) {
        let expired = entries.withLock { entries -> [Entry] in
            let gone = entries.filter { $0.value.expires <= now }
            for key in gone.keys { entries.removeValue(forKey: key) }
            return Array(gone.values)
        }
        for entry in expired {
            entry.call.connection.respond(to: entry.request.id, .failure(MCPError(code: .internalError, message: "The client did not answer in time")))
            entry.call.connection.cancel(entry.call.id, reason: "the client did not answer the input request in time")
        }
    }
}
