/// A stream whose waiting consumer can be woken after a quiet interval, so the transport
/// writes a keep-alive comment (an SSE `:` line) that proxies count as traffic.
///
/// One ticker visits every open stream instead of one timer per stream: 10,000 idle
/// streams cost one pass a second, not 10,000 sleeping tasks.
public protocol IdleWakeable: AnyObject, Sendable {
    func wakeIfIdle(now: ContinuousClock.Instant, interval: Duration)
}
