import MCPBridge
import PorticoConfig
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Timeout, cancellation and cleanup reach the whole process group, grandchildren included.
@Suite("Process group")
struct ProcessGroupTests {
    struct TimeoutCase: Sendable, CustomTestStringConvertible {
        var name: String
        var script: String
        /// Whether SIGTERM is ignored, so only the SIGKILL ~1 s later can end it.
        var ignoresTERM: Bool
        var testDescription: String { name }
    }

    @Test("timeout kills the whole group, grandchild included", arguments: [
        TimeoutCase(name: "plain", script: "sleep 60 & echo $$ $!; sleep 60", ignoresTERM: false),
        TimeoutCase(name: "ignores SIGTERM", script: "trap '' TERM; sleep 60 & echo $$ $!; sleep 60", ignoresTERM: true),
    ])
    func timeoutKillsGroup(_ c: TimeoutCase) async throws {
        let outcome = try await CommandRunner.run(CommandSpec(argv: ["/bin/sh", "-c", c.script], timeout: .milliseconds(500)))
        #expect(outcome.termination == .timedOut)
        #expect(outcome.duration >= .milliseconds(500))
        // Far below the 60 s sleeps: the group was killed, not waited for (a loaded box may be slow).
        #expect(outcome.duration < .seconds(30))
        if c.ignoresTERM { #expect(outcome.duration >= .milliseconds(1400)) }
        let pids = TestSupport.pids(TestSupport.text(outcome.stdout))
        try #require(pids.count == 2, "shell should echo its pid and the grandchild's")
        for pid in pids {
            #expect(await eventually { !TestSupport.isRunning(pid) }, "pid \(pid) survived the timeout")
        }
    }

    @Test func timeoutShorterThanSpawnStillKills() async throws {
        let outcome = try await CommandRunner.run(CommandSpec(argv: ["/bin/sleep", "60"], timeout: .zero))
        #expect(outcome.termination == .timedOut)
        #expect(outcome.duration < .seconds(30))
    }

    @Test func returnsPromptlyWhileAGrandchildHoldsStdoutAndThenKillsIt() async throws {
        // The leader exits at once; the backgrounded sleep inherits stdout and stderr.
        let outcome = try await CommandRunner.run(CommandSpec(
            argv: ["/bin/sh", "-c", "sleep 60 & echo $!; echo bye"], timeout: .seconds(30)))
        #expect(outcome.termination == .exited(0))
        #expect(outcome.duration < .seconds(20))  // well before the 30 s timeout: it did not wait for the sleep
        let text = TestSupport.text(outcome.stdout)
        #expect(text.hasSuffix("bye\n"))
        let pids = TestSupport.pids(text)
        try #require(pids.count == 1)
        #expect(await eventually { !TestSupport.isRunning(pids[0]) }, "grandchild outlived the call")
    }

    @Test func detachedGrandchildWithClosedPipesIsKilledToo() async throws {
        // Here the grandchild holds no pipe at all, so nothing but the group kill can find it.
        let outcome = try await CommandRunner.run(CommandSpec(
            argv: ["/bin/sh", "-c", "sleep 60 </dev/null >/dev/null 2>&1 & echo $!"]))
        let pids = TestSupport.pids(TestSupport.text(outcome.stdout))
        try #require(pids.count == 1)
        #expect(await eventually { !TestSupport.isRunning(pids[0]) })
    }

    @Test func cancellingTheTaskKillsTheGroupAndThrowsCancellation() async throws {
        let pidFile = TestSupport.uniquePath("cancel")
        defer { unlink(pidFile) }
        let task = Task {
            try await CommandRunner.run(CommandSpec(
                argv: ["/bin/sh", "-c", "sleep 60 & echo $$ $! > \"$1\"; sleep 60", "sh", pidFile],
                timeout: .seconds(60)))
        }
        // Wait (bounded) until the shell has written both pids, then cancel.
        var pids: [pid_t] = []
        let written = await eventually(timeout: .seconds(10)) {
            pids = TestSupport.pids(TestSupport.readFile(pidFile) ?? "")
            return pids.count == 2
        }
        try #require(written)
        let cancelledAt = ContinuousClock.now
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(ContinuousClock.now - cancelledAt < .seconds(5))
        for pid in pids {
            #expect(await eventually { !TestSupport.isRunning(pid) }, "pid \(pid) survived cancellation")
        }
    }
}
