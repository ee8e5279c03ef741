import Synchronization

/// The open 2026-07-28 `subscriptions/listen` streams and what each asked to hear.
///
/// A registry change or a resource update is offered to every listener whose filter names
/// it, tagged with that listener's subscription id (2026-07-28 basic/patterns/subscriptions
/// §Receiving Notifications). Offers never wait, so one stalled client cannot delay the
/// others; a client that stops reading has its stream closed and reconnects.
public final class ListenerHub: Sendable {
    /// The notification kinds one listen request opted into.
    public struct Filter: Sendable, Equatable {
        public var toolsListChanged = false
        public var promptsListChanged = false
        public var resourcesListChanged = false
        public var resourceSubscriptions: Set<String> = []
        /// Tasks whose status changes the client wants (`notifications/tasks`, tasks extension).
        public var taskIDs: Set<String> = []

        public init() {}

        func includes(_ list: Registry.List) -> Bool {
            switch list {
            case .tools: toolsListChanged
            case .prompts: promptsListChanged
            case .resources: resourcesListChanged
            }
        }
    }

    /// One open listen stream.
    public final class Listener: Sendable {
        /// The listen request's id: the subscription id every message carries.
        public let subscriptionID: JSONRPCID
        public let filter: Filter
        public let stream: MessageStream

        /// The subscription id as JSON text, spliced into pre-encoded notifications.
        let encodedID: [UInt8]

        init(subscriptionID: JSONRPCID, filter: Filter, stream: MessageStream) {
            self.subscriptionID = subscriptionID
            self.filter = filter
            self.stream = stream
            self.encodedID = subscriptionID.json.jsonBytes
        }

        /// `params._meta` carrying the subscription id.
        var meta: JSONValue { .object([MetaKey.subscriptionId: subscriptionID.json]) }

        /// `prefix ‖ id ‖ suffix`: a notification encoded once for every listener, tagged with this one's id.
        func tagged(_ prefix: [UInt8], _ suffix: [UInt8]) -> [UInt8] {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(prefix.count + encodedID.count + suffix.count)
            bytes.append(contentsOf: prefix)
            bytes.append(contentsOf: encodedID)
            bytes.append(contentsOf: suffix)
            return bytes
        }
    }

    public let maximumListeners: Int
    private let listeners = Mutex<[ObjectIdentifier: Listener]>([:])

    public init(maximumListeners: Int = 10_000) {
        self.maximumListeners = maximumListeners
    }

    public var count: Int { listeners.withLock { $0.count } }

    /// Registers a listener; `nil` when the hub is full (the transport answers 503).
    public func add(subscriptionID: JSONRPCID, filter: Filter, stream: MessageStream) -> Listener? {
        let listener = Listener(subscriptionID: subscriptionID, filter: filter, stream: stream)
        let added = listeners.withLock { listeners -> Bool in
            guard listeners.count < maximumListeners else { return false }
            listeners[ObjectIdentifier(listener)] = listener
            return true
        }
        return added ? listener : nil
    }

    public func remove(_ listener: Listener) {
        _ = listeners.withLock { $0.removeValue(forKey: ObjectIdentifier(listener)) }
    }

    /// `notifications/<list>/list_changed` to every listener that asked for it; returns how many got it.
    @discardableResult
    func listChanged(_ list: Registry.List) -> Int {
        // Encoded once; each listener only splices in its id (10,000 listeners, one encode).
        let prefix = Array(#"{"jsonrpc":"2.0","method":"notifications/\#(list.rawValue)/list_changed","params":{"_meta":{"\#(MetaKey.subscriptionId)":"#.utf8)
        let suffix = Array("}}}".utf8)
        var delivered = 0
        for listener in snapshot() where listener.filter.includes(list) {
            if listener.stream.offer(listener.tagged(prefix, suffix)) { delivered += 1 }
        }
        return delivered
    }

    /// `notifications/resources/updated` to every listener subscribed to `uri`.
    func resourceUpdated(_ uri: String) {
        for listener in snapshot() where listener.filter.resourceSubscriptions.contains(uri) {
            let bytes = JSONRPCNotification(
                method: "notifications/resources/updated", params: ["_meta": listener.meta, "uri": .string(uri)]
            ).encoded()
            listener.stream.offer(bytes)
        }
    }

    /// `notifications/tasks` with the task's full state to every listener that named it.
    func taskChanged(_ record: TaskRecord) {
        let listeners = snapshot().filter { $0.filter.taskIDs.contains(record.id) }
        guard !listeners.isEmpty else { return }
        let detailed = record.detailed
        for listener in listeners {
            var params = detailed
            params["_meta"] = listener.meta
            listener.stream.offer(JSONRPCNotification(method: "notifications/tasks", params: params).encoded())
        }
    }

    /// Graceful shutdown: each listen request gets its final, successful response
    /// (subscriptions §Graceful Closure), built by `response`.
    func closeAll(response: (Listener) -> [UInt8]) {
        for listener in snapshot() {
            listener.stream.finish(response(listener))
        }
    }

    private func snapshot() -> [Listener] {
        listeners.withLock { Array($0.values) }
    }
}
