import DequeModule
import Synchronization

/// The byte budget over every event kept for resumption, across all sessions.
///
/// Legacy-era SSE streams keep their events so a client that lost its connection can
/// resume with `Last-Event-ID` (transports §Resumability and Redelivery). Each stream caps
/// its own events; this log caps the total, evicting the oldest events first wherever they
/// live. Memory therefore stays bounded however many sessions emit however much.
public final class EventLog: Sendable {
    public struct Limits: Sendable {
        /// Bytes of event payload kept across every stream.
        public var maximumBytes: Int
        /// Events kept per stream.
        public var eventsPerStream: Int

        public init(maximumBytes: Int = 4 * 1024 * 1024, eventsPerStream: Int = 1_024) {
            self.maximumBytes = max(1, maximumBytes)
            self.eventsPerStream = max(1, eventsPerStream)
        }
    }

    private struct Entry {
        let stream: ReplayStream
        let sequence: Int
    }

    private struct State {
        /// Every kept event in arrival order; entries whose event is already gone are "stale".
        var order: Deque<Entry> = []
        var bytes = 0
        var stale = 0
    }

    public let limits: Limits
    private let state = Mutex(State())

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Bytes currently kept.
    public var bytes: Int { state.withLock { $0.bytes } }

    /// Events currently tracked (including ones already dropped by their stream but not yet compacted).
    var trackedEvents: Int { state.withLock { $0.order.count } }

    /// Accounts for an event `stream` just stored, and for `releasedBytes` it dropped on its
    /// own (its per-stream cap) in the same step; evicts the oldest events while over budget.
    ///
    /// Lock order is log → stream: streams call in here only after releasing their own lock.
    func stored(sequence: Int, size: Int, in stream: ReplayStream, releasedBytes: Int, releasedEvents: Int) {
        state.withLock { state in
            state.bytes += size - releasedBytes
            state.stale += releasedEvents
            state.order.append(Entry(stream: stream, sequence: sequence))
            while state.bytes > limits.maximumBytes, let oldest = state.order.popFirst() {
                let freed = oldest.stream.evict(sequence: oldest.sequence)
                if let freed { state.bytes -= freed } else { state.stale -= 1 }
            }
            compactIfMostlyStale(&state)
        }
    }

    /// A stream dropped events itself (delivered events of a non-resumable stream, or a closed session).
    func released(bytes: Int, events: Int) {
        guard events > 0 else { return }
        state.withLock { state in
            state.bytes -= bytes
            state.stale += events
            compactIfMostlyStale(&state)
        }
    }

    /// Stale entries cost 16 bytes each; dropping them once they outnumber live ones keeps
    /// the index proportional to what is actually kept.
    private func compactIfMostlyStale(_ state: inout State) {
        guard state.stale > 256, state.stale * 2 > state.order.count else { return }
        state.order.removeAll { !$0.stream.holds(sequence: $0.sequence) }
        state.stale = 0
    }
}
