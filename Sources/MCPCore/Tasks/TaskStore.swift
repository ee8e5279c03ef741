import Crypto
import Synchronization

/// The tasks this server holds, bounded in count and in time.
///
/// Each task lives for its `ttlMs` after creation (SEP-2663: servers may discard a task
/// once its TTL elapses); at the count limit the oldest finished task makes room, and
/// when every task is still running a new one is refused rather than evicting live work.
public final class TaskStore: Sendable {
    public struct Limits: Sendable {
        public var maximumTasks: Int
        public var ttl: Duration
        public var pollInterval: Duration

        public init(maximumTasks: Int = 1_000, ttl: Duration = .seconds(3600), pollInterval: Duration = .milliseconds(500)) {
            self.maximumTasks = max(1, maximumTasks)
            self.ttl = ttl
            self.pollInterval = pollInterval
        }
    }

    public let limits: Limits
    private let tasks = Mutex<[String: TaskRecord]>([:])
    /// Told about every status change (the server fans them out to listen streams).
    private let observers = Mutex<[@Sendable (TaskRecord) -> Void]>([])

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    public var count: Int { tasks.withLock { $0.count } }

    func observeChanges(_ observer: @escaping @Sendable (TaskRecord) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// A new task in `working`, stored before it is returned (creation is strongly
    /// consistent: a `tasks/get` for its id resolves at once); `nil` when the store is full of live tasks.
    /// - Parameter ttlMilliseconds: a requested lifetime (2025-11-25 `task.ttl`), capped at the store's.
    func create(principal: String?, ttlMilliseconds requested: Int? = nil) -> TaskRecord? {
        let limit = Int(limits.ttl.components.seconds * 1000 + limits.ttl.components.attoseconds / 1_000_000_000_000_000)
        let record = TaskRecord(
            id: Self.makeID(), ttlMilliseconds: min(limit, max(1, requested ?? limit)),
            pollIntervalMilliseconds: Int(limits.pollInterval.components.seconds * 1000 + limits.pollInterval.components.attoseconds / 1_000_000_000_000_000),
            principal: principal
        ) { [weak self] record in
            guard let self else { return }
            for observer in self.observers.withLock({ $0 }) { observer(record) }
        }
        let now = WallClock.nowMilliseconds()
        var expired: [TaskRecord] = []
        let stored = tasks.withLock { tasks -> Bool in
            if tasks.count >= limits.maximumTasks {
                expired = tasks.values.filter { $0.isExpired(now: now) }
                for task in expired { tasks[task.id] = nil }
            }
            if tasks.count >= limits.maximumTasks {
                guard let oldest = tasks.values.filter({ $0.status.isTerminal }).min(by: { $0.createdAt < $1.createdAt }) else { return false }
                tasks[oldest.id] = nil
            }
            tasks[record.id] = record
            return true
        }
        // Outside the lock: cancelling runs the work's cancellation handlers.
        for task in expired { task.cancel() }
        return stored ? record : nil
    }

    /// The task with `id` if it exists, has not expired and belongs to `principal`.
    public func task(id: String, principal: String?) -> TaskRecord? {
        let now = WallClock.nowMilliseconds()
        let (found, expired) = tasks.withLock { tasks -> (TaskRecord?, TaskRecord?) in
            guard let task = tasks[id] else { return (nil, nil) }
            if task.isExpired(now: now) {
                tasks[id] = nil
                return (nil, task)
            }
            return (task.principal == principal ? task : nil, nil)
        }
        expired?.cancel()
        return found
    }

    /// Every live task of `principal`, oldest first (2025-11-25 `tasks/list`).
    func tasks(of principal: String) -> [TaskRecord] {
        let now = WallClock.nowMilliseconds()
        return tasks.withLock { $0.values.filter { $0.principal == principal && !$0.isExpired(now: now) } }
            .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    /// Drops expired tasks (cancelling any still running); returns how many.
    @discardableResult
    public func sweep(now: Int64 = WallClock.nowMilliseconds()) -> Int {
        let expired = tasks.withLock { tasks -> [TaskRecord] in
            let expired = tasks.values.filter { $0.isExpired(now: now) }
            for task in expired { tasks[task.id] = nil }
            return expired
        }
        for task in expired { task.cancel() }
        return expired.count
    }

    /// 128 random bits, base64url: unguessable, since a task id works as a handle on stored state.
    static func makeID() -> String {
        SymmetricKey(size: .bits128).withUnsafeBytes { Base64URL.encode($0) }
    }
}
