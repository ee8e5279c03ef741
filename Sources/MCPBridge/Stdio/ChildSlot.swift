import Logging
import MCPCore
import Subprocess
import Synchronization
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// One place in a source's pool: keeps a child running, restarting it with backoff when it
/// exits, hangs or misbehaves.
///
/// The child lives inside swift-subprocess's `run` body for its whole life (the execution
/// must not escape it): ``ChildPipes`` carries stdin and stdout (a reader thread hands each
/// line to the connection), stderr goes to Portico's log, and a ticker times out calls and
/// pings a silent child.
final class ChildSlot: Sendable {
    enum Status: Sendable {
        case starting
        case ready(ChildConnection)
        /// Down, waiting to restart; `failure` says why. `wasReady` tells a child that died
        /// after serving (calls wait for its restart) from one that cannot start (calls fail fast).
        case down(BridgeFailure, wasReady: Bool)
        case stopped
    }

    let index: Int
    let command: ChildCommand
    private let status = Mutex(Status.starting)
    private let stopping = Atomic(false)
    /// The running child's connection, from spawn to exit (also while it is still starting).
    private let live = Mutex<ChildConnection?>(nil)
    /// How many times the child has been started; the first start is 1.
    private let starts = Atomic(0)
    private let changes: ChangeSignal
    private let restarts: RestartTally
    private let logger: Logger

    init(index: Int, command: ChildCommand, changes: ChangeSignal, restarts: RestartTally, logger: Logger) {
        self.restarts = restarts
        self.index = index
        self.command = command
        self.changes = changes
        self.logger = logger
    }

    var current: Status { status.withLock { $0 } }
    var startCount: Int { starts.load(ordering: .relaxed) }

    /// Runs children until `stop()` or cancellation. `onReady` runs after the handshake, before
    /// the child takes remote calls (the source refreshes its catalogue there).
    func run(onReady: @escaping @Sendable (ChildConnection, JSONObject) async throws -> Void, onListChanged: @escaping @Sendable (Registry.List) -> Void) async {
        var backoff = Backoff(initial: command.restartBackoff, maximum: command.restartBackoffMax)
        while !stopping.load(ordering: .relaxed) && !Task.isCancelled {
            if starts.add(1, ordering: .relaxed).newValue > 1 { restarts.add() }
            set(.starting)
            let started = ContinuousClock.now
            let failure = await runOnce(onReady: onReady, onListChanged: onListChanged)
            if stopping.load(ordering: .relaxed) || Task.isCancelled { break }
            let wasReady = status.withLock { status in
                if case .ready = status { true } else { false }
            }
            set(.down(failure, wasReady: wasReady))
            let delay = backoff.delay(afterRunning: .now - started)
            logger.error("stdio server failed", metadata: [
                "mcp.source": "\(command.source)", "child": "\(index)", "error": "\(failure)", "restart_in": "\(delay)",
            ])
            // In short steps, so a stop during a long backoff is not kept waiting.
            let restartAt = ContinuousClock.now + delay
            while .now < restartAt && !stopping.load(ordering: .relaxed) && !Task.isCancelled {
                try? await Task.sleep(for: min(.milliseconds(100), restartAt - .now))
            }
        }
        set(.stopped)
    }

    /// Asks the child to exit by closing its stdin (what stdio servers wait for); `run`
    /// returns once it has, or the caller cancels the task after a grace period.
    func stop(reason: String = "Portico is shutting down") {
        stopping.store(true, ordering: .relaxed)
        guard let connection = live.withLock({ $0 }) else { return }
        connection.fail(.unavailable(source: command.source, reason: reason))
        // A child that ignores the end of its input (a tool blocking its event loop) is
        // killed, group and all, after a grace period.
        let pid = connection.pid
        Task {
            try? await Task.sleep(for: .seconds(3))
            if self.live.withLock({ $0 === connection }) { kill(-pid, SIGKILL) }
        }
    }

    private func set(_ new: Status) {
        status.withLock { $0 = new }
        changes.signal()
    }

    private struct StdoutClosed: Error {}

    private func runOnce(
        onReady: @escaping @Sendable (ChildConnection, JSONObject) async throws -> Void, onListChanged: @escaping @Sendable (Registry.List) -> Void
    ) async -> BridgeFailure {
        let command = command
        let logger = logger
        let failure: BridgeFailure
        let pipes: ChildPipes
        do {
            pipes = try ChildPipes()
        } catch {
            return .startFailed(source: command.source, reason: error.description)
        }
        defer {
            pipes.closeChildEnds()
            pipes.closeAll()
        }
        do {
            let result = try await Subprocess.run(
                command.executableReference, arguments: Arguments(command.arguments), environment: command.environmentReference,
                workingDirectory: command.workingDirectory.map { FilePath($0) }, platformOptions: command.platformOptions,
                input: .fileDescriptor(FileDescriptor(rawValue: pipes.childInput), closeAfterSpawningProcess: false),
                output: .fileDescriptor(FileDescriptor(rawValue: pipes.childOutput), closeAfterSpawningProcess: false),
                error: .sequence
            ) { execution async throws -> BridgeFailure? in
                // The child has its copies; ours would keep its stdout open after it exits.
                pipes.closeChildEnds()
                let pid = execution.processIdentifier.value
                let changes = self.changes
                let connection = ChildConnection(
                    source: command.source, pid: pid, pipes: pipes, logger: logger, onListChanged: onListChanged, onCallEnded: { changes.signal() })
                self.live.withLock { $0 = connection }
                if self.stopping.load(ordering: .relaxed) { connection.fail(.unavailable(source: command.source, reason: "Portico is shutting down")) }
                let stderr = execution.standardError
                return try await withThrowingTaskGroup(of: Void.self, returning: BridgeFailure?.self) { group in
                    group.addTask {
                        let end = await pipes.read(pid: pid, maximumFrameBytes: command.maximumFrameBytes) { line in try connection.receive(line) }
                        switch end {
                        case .endOfOutput, .stopped: throw StdoutClosed()
                        case .failed(let error): throw error
                        }
                    }
                    group.addTask {
                        // A very long stderr line is cut rather than treated as a fault.
                        var splitter = LineSplitter(maximumFrameBytes: 16 << 10, truncating: true)
                        for try await chunk in stderr {
                            try? chunk.withUnsafeBytes { bytes in
                                try splitter.feed(bytes) { line in
                                    logger.info("\(String(decoding: line, as: UTF8.self))", metadata: ["mcp.source": "\(command.source)", "stream": "stderr"])
                                }
                            }
                        }
                    }
                    group.addTask {
                        let initialized = try await Self.initialize(connection, command: command)
                        try await onReady(connection, initialized)
                        self.set(.ready(connection))
                    }
                    group.addTask {
                        while true {
                            try await Task.sleep(for: .milliseconds(250))
                            if let hung = connection.sweep(now: .now, hangTimeout: command.hangTimeout, callTimeoutSeconds: command.callTimeoutSeconds) {
                                throw hung
                            }
                        }
                    }
                    defer {
                        pipes.stop()
                        group.cancelAll()
                    }
                    do {
                        // Handshake and stderr end on their own; stdout closing or a fault ends the run.
                        while try await group.next() != nil {}
                        return nil
                    } catch is StdoutClosed {
                        // Normally the child has exited; one that only closed its stdout is
                        // useless and gets two seconds before teardown kills it.
                        var checks = 0
                        while checks < 100 && !ChildPipes.hasExited(pid) {
                            checks += 1
                            try? await Task.sleep(for: .milliseconds(20))
                        }
                        guard ChildPipes.hasExited(pid) else {
                            let failure = BridgeFailure.exited(source: command.source, status: "closed its stdout but kept running")
                            connection.fail(failure)
                            throw failure
                        }
                        return nil
                    } catch let failure as BridgeFailure {
                        connection.fail(failure)
                        throw failure
                    } catch is LineSplitter.FrameTooLong {
                        let failure = BridgeFailure.garbage(source: command.source, sample: "a line longer than \(command.maximumFrameBytes) bytes")
                        connection.fail(failure)
                        throw failure
                    }
                }
            }
            failure = result.closureResult ?? .exited(source: command.source, status: Self.describe(result.terminationStatus))
        } catch let bridgeFailure as BridgeFailure {
            failure = bridgeFailure
        } catch {
            failure = .startFailed(source: command.source, reason: "\(error)")
        }
        let connection = live.withLock { live in
            defer { live = nil }
            return live
        }
        connection?.fail(failure)
        // The leader is gone; anything it started in its group goes too.
        if let pid = connection?.pid, pid > 0 { kill(-pid, SIGKILL) }
        return failure
    }

    private static func describe(_ status: TerminationStatus) -> String {
        switch status {
        case .exited(let code): "exit status \(code)"
        case .signaled(let signal): "killed by signal \(signal)"
        @unknown default: "\(status)"
        }
    }

    /// The stdio handshake at the newest version every 2025-era SDK accepts; servers answer
    /// with the version they speak (lifecycle §Version Negotiation).
    static func initialize(_ connection: ChildConnection, command: ChildCommand) async throws -> JSONObject {
        let params: JSONObject = [
            "protocolVersion": .string(ProtocolVersion.v2025_11_25.rawValue),
            "capabilities": ["elicitation": ["form": [:]], "sampling": [:], "roots": [:]],
            "clientInfo": ["name": "portico", "version": "1"],
        ]
        let result: JSONValue
        do {
            result = try await connection.request("initialize", params: params, timeout: command.startupTimeout)
        } catch let failure as BridgeFailure {
            if case .timedOut = failure {
                throw BridgeFailure.startFailed(source: command.source, reason: "no answer to initialize within \(command.startupTimeout)")
            }
            throw failure
        } catch let error as MCPError {
            throw BridgeFailure.startFailed(source: command.source, reason: "initialize failed: \(error.message)")
        }
        guard let object = result.objectValue, object["protocolVersion"]?.stringValue != nil else {
            throw BridgeFailure.startFailed(source: command.source, reason: "initialize returned no protocolVersion")
        }
        connection.notify("notifications/initialized")
        return object
    }
}
