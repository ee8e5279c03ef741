/// Polls `condition` every 10 ms until it holds or `timeout` passes: a bounded poll of
/// observable state, so tests wait only as long as the work needs, never a sleep used as
/// synchronisation.
func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}
