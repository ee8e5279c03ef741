public import Crypto
import DequeModule
import Synchronization

/// Tokens verified recently, so that a client sending the same token with every request
/// costs one SHA-256 and one lock instead of a signature check or an introspection call.
///
/// Entries are keyed by the token's SHA-256, never the token, so a memory dump does not
/// hand out live credentials. An entry lives until the token's `exp` or for the TTL,
/// whichever comes first: a token revoked at the authorization server (RFC 7009) can stay
/// accepted that long, which is the usual trade-off (RFC 7662 §4 on caching).
public final class VerifiedTokenCache: Sendable {
    public let capacity: Int
    private let state: Mutex<State>

    private struct Entry {
        var token: VerifiedToken
        var expiresAt: Double
        var sequence: UInt64
    }

    private struct State {
        var entries: [SHA256Digest: Entry] = [:]
        /// Insertion order for evicting the oldest; positions whose entry has since been
        /// replaced or removed are skipped (their sequence no longer matches).
        var order: Deque<(key: SHA256Digest, sequence: UInt64)> = []
        var nextSequence: UInt64 = 0
        /// No entry expires before this, so sweeping for expired ones earlier finds nothing.
        var earliestExpiry: Double = .infinity
    }

    public init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
        self.state = Mutex(State())
    }

    public var count: Int {
        state.withLock { $0.entries.count }
    }

    public static func key(for token: String) -> SHA256Digest {
        SHA256.hash(data: Array(token.utf8))
    }

    public func lookup(_ key: SHA256Digest, now: Double) -> VerifiedToken? {
        state.withLock { state in
            guard let entry = state.entries[key] else { return nil }
            guard now < entry.expiresAt else {
                state.entries[key] = nil
                return nil
            }
            return entry.token
        }
    }

    public func insert(_ token: VerifiedToken, for key: SHA256Digest, until expiresAt: Double, now: Double) {
        guard expiresAt > now else { return }
        state.withLock { state in
            if state.entries[key] == nil, state.entries.count >= capacity {
                Self.makeRoom(in: &state, capacity: capacity, now: now)
            }
            let sequence = state.nextSequence
            state.nextSequence += 1
            state.entries[key] = Entry(token: token, expiresAt: expiresAt, sequence: sequence)
            state.order.append((key, sequence))
            state.earliestExpiry = min(state.earliestExpiry, expiresAt)
            // Stale order positions pile up when entries are replaced or expire on lookup.
            if state.order.count > 2 * capacity {
                state.order = Deque(state.order.filter { state.entries[$0.key]?.sequence == $0.sequence })
            }
        }
    }

    /// Expired entries go first; if none has expired, the oldest inserted one goes.
    private static func makeRoom(in state: inout State, capacity: Int, now: Double) {
        if now >= state.earliestExpiry {
            state.entries = state.entries.filter { now < $0.value.expiresAt }
            state.earliestExpiry = state.entries.values.map(\.expiresAt).min() ?? .infinity
        }
        while state.entries.count >= capacity, let oldest = state.order.popFirst() {
            if state.entries[oldest.key]?.sequence == oldest.sequence {
                state.entries[oldest.key] = nil
            }
        }
    }
}
