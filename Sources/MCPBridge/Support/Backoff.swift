/// Exponential restart delay: `initial`, doubling up to `maximum`, back to `initial` once a
/// child has stayed up for `healthyAfter`. Keeps a crashing child from becoming a restart storm.
struct Backoff: Sendable {
    let initial: Duration
    let maximum: Duration
    let healthyAfter: Duration
    private(set) var next: Duration

    init(initial: Duration, maximum: Duration, healthyAfter: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = maximum
        self.healthyAfter = healthyAfter
        self.next = initial
    }

    /// The delay before the next start, given how long the last run lasted.
    mutating func delay(afterRunning uptime: Duration) -> Duration {
        if uptime >= healthyAfter { next = initial }
        let delay = next
        next = min(next * 2, maximum)
        return delay
    }
}
