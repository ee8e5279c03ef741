import Synchronization

/// At most `limit` holders at once; the rest wait in no particular order (a tool's
/// `max_concurrency`).
final class ConcurrencyLimit: Sendable {
    let limit: Int
    private let holders = Mutex(0)
    private let changes = ChangeSignal()

    init(limit: Int) {
        self.limit = limit
    }

    func withSlot<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        _ = try await changes.wait { () -> Bool? in
            holders.withLock { holders in
                guard holders < limit else { return nil }
                holders += 1
                return true
            }
        }
        defer {
            holders.withLock { $0 -= 1 }
            changes.signal()
        }
        return try await body()
    }
}
