public import MCPCore
public import ServiceLifecycle
import Synchronization

/// Wakes SSE streams that have been quiet for `interval`, so their writers send a comment
/// line. Proxies and load balancers cut connections that look idle (nginx's
/// `proxy_read_timeout` defaults to 60 s, several SDK proxies to 5 min); a comment keeps
/// them open and every SSE client ignores it (WHATWG HTML §9.2.6).
///
/// One service visits every open stream a few times per interval; a stream costs a
/// dictionary entry, not a timer.
public final class KeepAliveTicker: Service, Sendable {
    /// Silence before a keep-alive; `nil` turns keep-alives off.
    public let interval: Duration?
    private struct Watched {
        var streams: [Int: any IdleWakeable] = [:]
        var nextKey = 0
    }

    /// A stream being watched; pass it back to ``remove(_:)``.
    public struct Registration: Sendable {
        let key: Int
    }

    private let watched = Mutex(Watched())

    public init(interval: Duration?) {
        self.interval = interval.flatMap { $0 > .zero ? $0 : nil }
    }

    /// Watches `stream` for one connection, until `remove` is called. A stream read by
    /// successive connections (a resumed one) gets one registration per connection, so the
    /// old connection's cleanup cannot unwatch the new one.
    public func add(_ stream: any IdleWakeable) -> Registration? {
        guard interval != nil else { return nil }
        return watched.withLock { watched in
            watched.nextKey += 1
            watched.streams[watched.nextKey] = stream
            return Registration(key: watched.nextKey)
        }
    }

    public func remove(_ registration: Registration?) {
        guard let registration else { return }
        _ = watched.withLock { $0.streams.removeValue(forKey: registration.key) }
    }

    public var watchedCount: Int { watched.withLock { $0.streams.count } }

    public func run() async throws {
        guard let interval else {
            try? await gracefulShutdown()
            return
        }
        // A quarter of the interval (at most a second) keeps the actual silence within 25% of it.
        let tick = min(interval / 4, .seconds(1))
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: tick)
                let now = ContinuousClock.now
                for stream in self.watched.withLock({ Array($0.streams.values) }) {
                    stream.wakeIfIdle(now: now, interval: interval)
                }
            }
        }
    }
}
