import Crypto
import Synchronization

/// Recently refused tokens, by SHA-256 of the token, so the same bad token sent again costs a
/// hash instead of a signature check or an introspection request: a client retrying in a loop,
/// or someone spraying made-up opaque tokens, cannot turn Portico into a load generator for the
/// authorization server.
///
/// Only verdicts that cannot change soon are kept: never `unavailable` (the issuer may be back
/// in a second), `unknownKey` (a refresh may find the key) or `notYetValid`.
final class RejectionCache: Sendable {
    let capacity: Int
    let lifetime: Double
    private let entries = Mutex<[SHA256Digest: (rejection: TokenRejection, until: Double)]>([:])

    init(capacity: Int = 10_000, lifetime: Double = 10) {
        self.capacity = capacity
        self.lifetime = lifetime
    }

    func lookup(_ key: SHA256Digest, now: Double) -> TokenRejection? {
        entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard now < entry.until else {
                entries[key] = nil
                return nil
            }
            return entry.rejection
        }
    }

    func insert(_ rejection: TokenRejection, for key: SHA256Digest, now: Double) {
        switch rejection.reason {
        case .unavailable, .unknownKey, .notYetValid: return
        default: break
        }
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { now < $0.value.until }
                // Still full of live entries: a flood. Starting over keeps the bound and costs
                // only re-verification of what was dropped.
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[key] = (rejection, now + lifetime)
        }
    }
}
