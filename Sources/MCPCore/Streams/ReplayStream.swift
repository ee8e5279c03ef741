import DequeModule
import Synchronization

/// One legacy-era SSE stream whose events are kept for resumption.
///
/// Events get increasing sequence numbers; the transport writes them as SSE ids
/// `<stream>-<sequence>`, unique in the session (transports §Resumability: ids identify
/// their stream). At most one consumer, an HTTP response, reads at a time from a cursor;
/// when its connection drops the events stay, and a later GET with `Last-Event-ID` replays
/// exactly this stream's later events and continues live. Events leave only through the
/// per-stream cap, the global ``EventLog`` budget, or the session's end, so a resume can
/// fall outside the window (``Item/gap``) but never sees another stream's messages.
public final class ReplayStream: IdleWakeable {
    public enum Item: Sendable {
        case message(sequence: Int, bytes: [UInt8])
        /// The JSON-RPC response; the stream is complete after it.
        case final(sequence: Int, bytes: [UInt8])
        /// Quiet for a keep-alive interval.
        case idle
        /// The handler asked to end this connection (polling); the stream goes on.
        case disconnect
        /// Events after the cursor were evicted: this consumer cannot continue.
        case gap
        /// The stream is complete (or its session ended) and the cursor has seen everything.
        case end
    }

    private struct Stored {
        let sequence: Int
        let bytes: [UInt8]
        let isFinal: Bool
    }

    private struct Consumer {
        let token: Int
        var cursor: Int
        var waiting: CheckedContinuation<Item, Never>?
        var disconnectRequested = false
    }

    private struct State {
        var events: Deque<Stored> = []
        var nextSequence = 1
        var finished = false
        var discarded = false
        var consumer: Consumer?
        var producersWaitingForRoom: [CheckedContinuation<Void, Never>] = []
        var lastActivity: ContinuousClock.Instant = .now
        var nextToken = 0
    }

    /// The stream's number within its session.
    public let number: Int
    /// Whether delivered events stay for a resume (resumable streams) or leave at once.
    public let keepsDeliveredEvents: Bool
    private let log: EventLog
    private let state = Mutex(State())
    /// Events a live consumer may lag behind before the producer waits (backpressure).
    private let window = 64

    public init(number: Int, log: EventLog, keepsDeliveredEvents: Bool = true) {
        self.number = number
        self.log = log
        self.keepsDeliveredEvents = keepsDeliveredEvents
    }

    // MARK: Producing

    /// Stores a message; with a live consumer far behind, waits until it catches up.
    public func append(_ bytes: [UInt8]) async {
        while true {
            let mustWait: Bool = state.withLock { state in
                guard let consumer = state.consumer, !state.finished, !state.discarded else { return false }
                return state.nextSequence - 1 - consumer.cursor >= window
            }
            guard mustWait else { break }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    guard let consumer = state.consumer, !state.discarded,
                        state.nextSequence - 1 - consumer.cursor >= window
                    else { return true }
                    state.producersWaitingForRoom.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
        store(bytes, isFinal: false)
    }

    /// Stores a message without waiting (notification fan-out); a slow consumer may then see a gap.
    public func offer(_ bytes: [UInt8]) {
        store(bytes, isFinal: false)
    }

    /// Stores the final response; the stream is complete.
    public func finish(_ bytes: [UInt8]) {
        store(bytes, isFinal: true)
    }

    /// Completes the stream without a response (a cancelled legacy request answers nothing).
    public func finishWithoutResponse() {
        let waiting: CheckedContinuation<Item, Never>? = state.withLock { state in
            state.finished = true
            let waiting = state.consumer?.waiting
            state.consumer?.waiting = nil
            return waiting
        }
        waiting?.resume(returning: .end)
    }

    private func store(_ bytes: [UInt8], isFinal: Bool) {
        var released = (bytes: 0, events: 0)
        var wake: (CheckedContinuation<Item, Never>, Item)?
        let sequence: Int? = state.withLock { state in
            guard !state.finished, !state.discarded else { return nil }
            let sequence = state.nextSequence
            state.nextSequence += 1
            state.finished = isFinal
            state.events.append(Stored(sequence: sequence, bytes: bytes, isFinal: isFinal))
            while state.events.count > log.limits.eventsPerStream, let dropped = state.events.popFirst() {
                released.bytes += dropped.bytes.count
                released.events += 1
            }
            if var consumer = state.consumer, let waiting = consumer.waiting {
                consumer.waiting = nil
                if let item = Self.item(after: consumer.cursor, in: &state) {
                    if case .message(let delivered, _) = item { consumer.cursor = delivered }
                    if case .final(let delivered, _) = item { consumer.cursor = delivered }
                    wake = (waiting, item)
                } else {
                    consumer.waiting = waiting
                }
                state.consumer = consumer
            }
            return sequence
        }
        guard let sequence else { return }
        log.stored(sequence: sequence, size: bytes.count, in: self, releasedBytes: released.bytes, releasedEvents: released.events)
        if let (continuation, item) = wake {
            continuation.resume(returning: item)
            dropDeliveredIfNeeded()
        }
    }

    /// What a consumer at `cursor` reads next, or `nil` to wait.
    private static func item(after cursor: Int, in state: inout State) -> Item? {
        let wanted = cursor + 1
        let first = state.events.first?.sequence ?? state.nextSequence
        if wanted < first { return .gap }
        if wanted < state.nextSequence {
            let stored = state.events[wanted - first]
            state.lastActivity = .now
            return stored.isFinal ? .final(sequence: stored.sequence, bytes: stored.bytes) : .message(sequence: stored.sequence, bytes: stored.bytes)
        }
        if state.finished || state.discarded { return .end }
        return nil
    }

    // MARK: Consuming

    /// Why a resume position cannot be served.
    public enum ResumeRefusal: Error, Sendable, Equatable {
        /// Another connection is reading this stream.
        case alreadyAttached
        /// Events after the position are gone (evicted).
        case outsideWindow(oldestKept: Int?)
        /// The position names an event this stream never sent.
        case unknownPosition
    }

    /// A reader's claim on the stream, returned by `attach`; `detach` needs it so a late
    /// cleanup of an old connection cannot detach the connection that resumed after it.
    public struct Attachment: Sendable, Equatable {
        public let token: Int
        /// The position read from; the id of a priming event for this attachment.
        public let cursor: Int
    }

    /// Makes a consumer read from after `cursor` (0 = from the start; the priming event is 0).
    ///
    /// - Parameter takeOver: replace a reader that is still attached. A client resumes only
    ///   after losing its connection, and the server may not have noticed the loss yet; the
    ///   old reader is ended, so each event still goes to one connection.
    public func attach(after cursor: Int, takeOver: Bool = false) throws(ResumeRefusal) -> Attachment {
        var displaced: CheckedContinuation<Item, Never>?
        defer { displaced?.resume(returning: .end) }
        return try state.withLock { (state: inout State) throws(ResumeRefusal) -> Attachment in
            if state.consumer != nil, !takeOver { throw .alreadyAttached }
            let first = state.events.first?.sequence ?? state.nextSequence
            if cursor < 0 || cursor >= state.nextSequence { throw .unknownPosition }
            if cursor + 1 < first { throw .outsideWindow(oldestKept: state.events.first?.sequence) }
            // Only a valid resume displaces the reader, and its continuation leaves the state
            // with it, so nothing can resume it a second time.
            displaced = state.consumer?.waiting
            state.consumer = nil
            return Self.attach(at: cursor, in: &state)
        }
    }

    /// Attaches a consumer that starts at the current end (a fresh GET without `Last-Event-ID`).
    public func attachAtEnd() throws(ResumeRefusal) -> Attachment {
        try state.withLock { (state: inout State) throws(ResumeRefusal) -> Attachment in
            if state.consumer != nil { throw .alreadyAttached }
            return Self.attach(at: state.nextSequence - 1, in: &state)
        }
    }

    private static func attach(at cursor: Int, in state: inout State) -> Attachment {
        state.nextToken += 1
        state.consumer = Consumer(token: state.nextToken, cursor: cursor)
        state.lastActivity = .now
        return Attachment(token: state.nextToken, cursor: cursor)
    }

    /// The consumer's connection ended; the stream and its events stay for a resume.
    public func detach(_ attachment: Attachment) {
        detach(token: attachment.token)
    }

    private func detach(token: Int?) {
        let (waiting, producers) = state.withLock { state in
            guard let consumer = state.consumer, token == nil || consumer.token == token else {
                return (CheckedContinuation<Item, Never>?.none, [CheckedContinuation<Void, Never>]())
            }
            let waiting = consumer.waiting
            state.consumer = nil
            let producers = state.producersWaitingForRoom
            state.producersWaitingForRoom.removeAll()
            return (waiting, producers)
        }
        waiting?.resume(returning: .end)
        for producer in producers { producer.resume() }
    }

    /// The next item for `attachment`; `.end` once another reader has taken the stream over.
    public func next(for attachment: Attachment) async -> Item {
        let item: Item = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Item, Never>) in
                let immediate: Item? = state.withLock { state in
                    guard var consumer = state.consumer, consumer.token == attachment.token else { return .end }
                    if consumer.disconnectRequested {
                        consumer.disconnectRequested = false
                        state.consumer = consumer
                        return .disconnect
                    }
                    if let item = Self.item(after: consumer.cursor, in: &state) {
                        if case .message(let delivered, _) = item { consumer.cursor = delivered }
                        if case .final(let delivered, _) = item { consumer.cursor = delivered }
                        state.consumer = consumer
                        return item
                    }
                    consumer.waiting = continuation
                    state.consumer = consumer
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            self.detach(token: attachment.token)
        }
        switch item {
        case .message, .final:
            wakeProducers()
            dropDeliveredIfNeeded()
        default: break
        }
        return item
    }

    /// Asks the attached consumer to end its connection (server-initiated disconnect).
    public func requestDisconnect() {
        let waiting: CheckedContinuation<Item, Never>? = state.withLock { state in
            guard var consumer = state.consumer else { return nil }
            if let waiting = consumer.waiting {
                consumer.waiting = nil
                state.consumer = consumer
                return waiting
            }
            consumer.disconnectRequested = true
            state.consumer = consumer
            return nil
        }
        waiting?.resume(returning: .disconnect)
    }

    public func wakeIfIdle(now: ContinuousClock.Instant, interval: Duration) {
        let waiting: CheckedContinuation<Item, Never>? = state.withLock { state in
            guard var consumer = state.consumer, let waiting = consumer.waiting, now - state.lastActivity >= interval else { return nil }
            consumer.waiting = nil
            state.consumer = consumer
            state.lastActivity = now
            return waiting
        }
        waiting?.resume(returning: .idle)
    }

    private func wakeProducers() {
        let producers: [CheckedContinuation<Void, Never>] = state.withLock { state in
            guard !state.producersWaitingForRoom.isEmpty else { return [] }
            let producers = state.producersWaitingForRoom
            state.producersWaitingForRoom.removeAll()
            return producers
        }
        for producer in producers { producer.resume() }
    }

    private func dropDeliveredIfNeeded() {
        guard !keepsDeliveredEvents else { return }
        let released: (bytes: Int, events: Int) = state.withLock { state in
            guard let cursor = state.consumer?.cursor else { return (0, 0) }
            var released = (bytes: 0, events: 0)
            while let first = state.events.first, first.sequence <= cursor {
                state.events.removeFirst()
                released.bytes += first.bytes.count
                released.events += 1
            }
            return released
        }
        log.released(bytes: released.bytes, events: released.events)
    }

    // MARK: State

    /// Whether the stream is complete (its response stored, or it ended without one).
    public var isFinished: Bool { state.withLock { $0.finished } }

    /// Whether a consumer is attached.
    public var isAttached: Bool { state.withLock { $0.consumer != nil } }

    /// Whether the stream still holds any event (a finished, emptied stream can be forgotten).
    public var isEmpty: Bool { state.withLock { $0.events.isEmpty } }

    /// Drops everything (the session ended); the consumer sees the end.
    public func discard() {
        let (waiting, producers, released) = state.withLock { state in
            state.discarded = true
            let released = (bytes: state.events.reduce(0) { $0 + $1.bytes.count }, events: state.events.count)
            state.events.removeAll()
            let waiting = state.consumer?.waiting
            state.consumer?.waiting = nil
            let producers = state.producersWaitingForRoom
            state.producersWaitingForRoom.removeAll()
            return (waiting, producers, released)
        }
        log.released(bytes: released.bytes, events: released.events)
        waiting?.resume(returning: .end)
        for producer in producers { producer.resume() }
    }

    // MARK: Called by the EventLog (under its lock)

    /// Removes the event `sequence` if it is still the oldest kept; returns its size, or `nil` if already gone.
    func evict(sequence: Int) -> Int? {
        state.withLock { state in
            guard let first = state.events.first, first.sequence == sequence else { return nil }
            state.events.removeFirst()
            return first.bytes.count
        }
    }

    func holds(sequence: Int) -> Bool {
        state.withLock { state in
            guard let first = state.events.first else { return false }
            return sequence >= first.sequence && sequence < state.nextSequence
        }
    }
}
