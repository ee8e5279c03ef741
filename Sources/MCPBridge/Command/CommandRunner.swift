import Subprocess
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one ``CommandSpec`` to completion: the engine behind command tools.
///
/// Guarantees, each of which a YAML-declared tool could otherwise break:
/// - no shell: argv goes to `posix_spawn` as is, and NUL in argv or environment is refused
///   before spawning because C strings would silently cut it;
/// - bounded time: at the timeout the child's process group gets SIGTERM, then SIGKILL ~1 s later;
/// - bounded memory: stdout keeps `maxOutputBytes`, stderr a 4 KiB tail, and both pipes are
///   drained to the end so the child never blocks on a full pipe;
/// - no leftovers: after the leader exits, its process group is SIGKILLed, so `cmd &` inside a
///   tool cannot outlive the call; cancelling the calling task kills the group too.
///
/// Runs share no lock of ours; each run has its own small state (``RunControl``).
public enum CommandRunner {
    /// How much of stderr is kept for error messages.
    static let stderrTailBytes = 4096
    /// Time between SIGTERM and SIGKILL, for timeout and cancellation alike.
    static let killGrace: Duration = .seconds(1)

    public static func run(_ spec: CommandSpec) async throws -> CommandOutcome {
        _ = ignoreSIGPIPEOnce
        let configuration = try makeConfiguration(spec)
        let control = RunControl()
        let clock = ContinuousClock()
        let started = clock.now

        enum Event: Sendable {
            case finished(Result<Finished, any Error>)
            case watchdogDone
        }
        let result = await withTaskGroup(of: Event.self) { group in
            group.addTask {
                do { return .finished(.success(try await launch(configuration, spec, control))) }
                catch { return .finished(.failure(error)) }
            }
            group.addTask {
                await watchdog(timeout: spec.timeout, control)
                return .watchdogDone
            }
            // The watchdog may finish first (it has signalled); the launch always finishes,
            // because SIGKILL ends the leader and swift-subprocess then ends all pending I/O.
            for await event in group {
                if case .finished(let result) = event {
                    group.cancelAll()
                    return result
                }
            }
            preconditionFailure("the launch task always reports")
        }

        // The leader has been reaped; whatever it left running in its group is an orphan of this
        // call. Its pid cannot have been reused yet: the group exists as long as any member does.
        if let pgid = control.pgid { ProcessGroup.signal(pgid, SIGKILL) }
        if Task.isCancelled { throw CancellationError() }

        let finished = try result.get()
        let termination: CommandOutcome.Termination
        if control.timedOut {
            termination = .timedOut
        } else {
            switch finished.status {
            case .exited(let code): termination = .exited(Int32(truncatingIfNeeded: code))
            case .signaled(let signal): termination = .signalled(Int32(truncatingIfNeeded: signal))
            }
        }
        return CommandOutcome(
            termination: termination,
            stdout: finished.io.stdout.bytes,
            stdoutTruncated: finished.io.stdout.truncated,
            totalStdoutBytes: finished.io.stdout.total,
            stderrTail: finished.io.stderr.text,
            duration: clock.now - started
        )
    }

    struct Finished: Sendable {
        var status: TerminationStatus
        var io: ChildIO
    }

    /// Spawns the child and exchanges its I/O. Launch failures become ``CommandRunError``.
    private static func launch(_ configuration: Configuration, _ spec: CommandSpec, _ control: RunControl) async throws -> Finished {
        do {
            let result = try await Subprocess.run(
                configuration, input: .inputWriter, output: .sequence, error: .sequence
            ) { execution in
                control.childStarted(pid: execution.processIdentifier.value)
                return await ChildIO.exchange(
                    execution, stdin: spec.stdin,
                    maxOutputBytes: spec.maxOutputBytes, stderrTailBytes: stderrTailBytes
                )
            }
            return Finished(status: result.terminationStatus, io: result.closureResult)
        } catch let error as SubprocessError {
            throw CommandRunError(error, spec: spec)
        }
    }

    /// Sleeps until the deadline, then escalates SIGTERM → SIGKILL on the group. Cancelled (and
    /// silent) as soon as the launch finishes or the caller's task is cancelled.
    private static func watchdog(timeout: Duration, _ control: RunControl) async {
        do { try await Task.sleep(for: timeout) } catch { return }
        if let pgid = control.deadlinePassed() { ProcessGroup.signal(pgid, SIGTERM) }
        do { try await Task.sleep(for: killGrace) } catch { return }
        if let pgid = control.pgid { ProcessGroup.signal(pgid, SIGKILL) }
    }
}
