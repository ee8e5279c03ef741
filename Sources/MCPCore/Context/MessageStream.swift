import DequeModule
import Synchronization

/// The ordered, bounded queue between one request's handler and its HTTP response.
///
/// The handler pushes related notifications and (legacy) server→client requests, then
/// exactly one final reply; the transport pulls them and decides per response whether
/// it can answer with one JSON body or must stream SSE. A full queue suspends the
/// producer (backpressure instead of unbounded growth); when the consumer goes away,
/// sends are dropped and report `false`.
public final class MessageStream: IdleWakeable {
    public enum Event: Sendable {
        /// A notification or request related to the call, already encoded.
        case message([UInt8])
        /// The JSON-RPC response that ends the stream.
        case final([UInt8])
        /// Nothing happened for a keep-alive interval (see ``IdleWakeable``); the consumer
        /// writes a comment and waits again.
        case idle
        /// The handler asked to end the HTTP response without ending the SSE stream
        /// (2025-11-25 "polling"); the client resumes with `Last-Event-ID`.
        case disconnect
    }

    private struct State {
        var buffer: Deque<Event> = []
        var consumer: CheckedContinuation<Event?, Never>?
        var producers: Deque<CheckedContinuation<Void, Never>> = []
        var finished = false
        var consumerGone = false
        var lastActivity: ContinuousClock.Instant = .now
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let forwardsMessages: Bool

    /// - Parameter forwardsMessages: `false` when the client cannot receive anything but the
    ///   final reply (it accepts only `application/json`): related messages are then dropped.
    public init(capacity: Int = 64, forwardsMessages: Bool = true) {
        self.capacity = capacity
        self.forwardsMessages = forwardsMessages
    }

    /// Queues a related message; waits while the queue is full. Returns `false` once the consumer is gone.
    @discardableResult
    public func send(_ bytes: [UInt8]) async -> Bool {
        guard forwardsMessages else { return false }
        while true {
            switch enqueue(bytes) {
            case .delivered: return true
            case .dropped: return false
            case .full:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state in
                        if state.consumerGone || state.buffer.count < capacity { return true }
                        state.producers.append(continuation)
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
        }
    }

    /// Queues a message without waiting: for fan-out to many streams, where one slow client
    /// must not hold up the rest. A full queue means the client stopped reading: the stream
    /// is closed (its client reconnects) and `false` is returned.
    @discardableResult
    public func offer(_ bytes: [UInt8]) -> Bool {
        guard forwardsMessages else { return false }
        let outcome = enqueue(bytes)
        if outcome == .full { close() }
        return outcome == .delivered
    }

    private enum Enqueued { case delivered, full, dropped }

    /// Hands `bytes` to a waiting consumer or queues them, unless the queue is full or closed.
    private func enqueue(_ bytes: [UInt8]) -> Enqueued {
        state.withLock { state in
            if state.consumerGone || state.finished { return .dropped }
            if let consumer = state.consumer {
                state.consumer = nil
                state.lastActivity = .now
                consumer.resume(returning: .message(bytes))
                return .delivered
            }
            if state.buffer.count >= capacity { return .full }
            state.buffer.append(.message(bytes))
            return .delivered
        }
    }

    /// Asks the transport to end the HTTP response while the work goes on (legacy polling).
    public func requestDisconnect() {
        state.withLock { state in
            guard !state.finished, !state.consumerGone else { return }
            if let consumer = state.consumer {
                state.consumer = nil
                consumer.resume(returning: .disconnect)
            } else {
                state.buffer.append(.disconnect)
            }
        }
    }

    /// Wakes a consumer that has waited `interval` without an event, so it can write a keep-alive.
    public func wakeIfIdle(now: ContinuousClock.Instant, interval: Duration) {
        let consumer: CheckedContinuation<Event?, Never>? = state.withLock { state in
            guard let consumer = state.consumer, now - state.lastActivity >= interval else { return nil }
            state.consumer = nil
            state.lastActivity = now
            return consumer
        }
        consumer?.resume(returning: .idle)
    }

    /// Queues the final reply; later sends are dropped.
    public func finish(_ bytes: [UInt8]) {
        state.withLock { state in
            guard !state.finished else { return }
            state.finished = true
            if let consumer = state.consumer {
                state.consumer = nil
                state.lastActivity = .now
                consumer.resume(returning: .final(bytes))
            } else if !state.consumerGone {
                state.buffer.append(.final(bytes))
            }
        }
    }

    /// Ends the stream without a reply (a cancelled legacy request answers nothing).
    public func abandon() {
        state.withLock { state in
            state.finished = true
            if let consumer = state.consumer {
                state.consumer = nil
                consumer.resume(returning: nil)
            }
        }
    }

    /// The next event, or `nil` when the stream ended without (another) event or the task was cancelled.
    public func next() async -> Event? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Event?, Never>) in
                let immediate: Event?? = state.withLock { state in
                    if let event = state.buffer.popFirst() {
                        if let producer = state.producers.popFirst() { producer.resume() }
                        state.lastActivity = .now
                        return .some(event)
                    }
                    if state.finished || state.consumerGone { return .some(nil) }
                    state.consumer = continuation
                    return .none
                }
                if case .some(let event) = immediate { continuation.resume(returning: event) }
            }
        } onCancel: {
            self.close()
        }
    }

    /// The consumer is gone (client disconnected): wake everyone, drop what is queued.
    public func close() {
        let (consumer, producers) = state.withLock { state -> (CheckedContinuation<Event?, Never>?, Deque<CheckedContinuation<Void, Never>>) in
            state.consumerGone = true
            state.buffer.removeAll()
            let consumer = state.consumer
            state.consumer = nil
            let producers = state.producers
            state.producers.removeAll()
            return (consumer, producers)
        }
        consumer?.resume(returning: nil)
        for producer in producers { producer.resume() }
    }

    public var isClosed: Bool { state.withLock { $0.consumerGone } }
}
