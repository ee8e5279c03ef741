public import CoreMetrics

extension Timer {
    /// Records the time from `start` until now. (swift-metrics' `record(duration:)` is in its
    /// Foundation-bound `Metrics` module, which the core does not import.)
    public func recordElapsed(since start: ContinuousClock.Instant) {
        recordNanoseconds((ContinuousClock.now - start).nanoseconds)
    }
}

extension Duration {
    /// Whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : scaled + attoseconds / 1_000_000_000
    }
}
