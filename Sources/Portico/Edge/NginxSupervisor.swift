import Foundation
import Logging
public import NginxKit
import ServiceLifecycle
import UnixSignals

/// Runs nginx as a supervised child of `portico up`: renders once the app's port is known,
/// starts the master in the foreground, restarts it with backoff if it dies, re-renders and
/// reloads (verified, rolled back on failure) on SIGHUP, and stops it gracefully (SIGQUIT,
/// bounded by `worker_shutdown_timeout`) when the service group shuts down.
public struct NginxSupervisor: Service {
    /// Renders the plan for the app's bound port; called again on every SIGHUP (re-reading the config).
    /// `reload` is false for the first render (the configuration already loaded) and true on
    /// SIGHUP, when the file is read and validated again; a throw keeps the running edge.
    public typealias Planner = @Sendable (_ appPort: Int, _ reload: Bool) throws -> EdgePlan

    let controller: NginxController
    let statusPort: Int
    let probeHost: String
    let planner: Planner
    let appPort: AppPort
    let onReady: @Sendable (EdgePlan) -> Void
    let logger: Logger

    public init(
        controller: NginxController, statusPort: Int, probeHost: String, appPort: AppPort,
        logger: Logger, planner: @escaping Planner, onReady: @escaping @Sendable (EdgePlan) -> Void
    ) {
        self.controller = controller
        self.statusPort = statusPort
        self.probeHost = probeHost
        self.planner = planner
        self.appPort = appPort
        self.onReady = onReady
        self.logger = logger
    }

    enum Event: Sendable { case exited(Int32), reload, shutdown }

    public func run() async throws {
        let (events, continuation) = AsyncStream.makeStream(of: Event.self)
        // Trapped first: a SIGHUP during start-up is queued, not fatal.
        let hangups = Task {
            for await _ in await UnixSignalsSequence(trapping: .sighup) { continuation.yield(.reload) }
        }
        defer { hangups.cancel() }
        guard let port = await appPort.value() else { return }
        let plan = try planner(port, false)
        try await blocking {
            self.stopStaleMaster()
            try self.install(plan)
        }
        let offset = controller.errorLogOffset()
        var child = try launch(events: continuation)
        do {
            try await blocking {
                try EdgeDeployer(controller: self.controller, probeHost: self.probeHost)
                    .verify(plan, statusPort: self.statusPort, since: offset, oldWorkers: [])
            }
        } catch {
            // Never leave an nginx behind when the stack does not come up.
            child.signalGroup(SIGTERM)
            throw error
        }
        onReady(plan)
        var restarts = 0
        var stopping = false
        var running = true
        var launchedAt = ContinuousClock.now
        await withGracefulShutdownHandler {
            for await event in events {
                switch event {
                case .reload where !stopping:
                    await reload(appPort: port)
                case .exited(let status) where !stopping:
                    running = false
                    // A master that ran for a while earns a fresh backoff; a crash loop backs off.
                    if ContinuousClock.now - launchedAt > .seconds(60) { restarts = 0 }
                    restarts += 1
                    let delay = min(30.0, 0.5 * pow(2.0, Double(min(restarts, 6))))
                    logger.error("nginx exited; restarting", metadata: ["status": "\(status)", "restart": "\(restarts)", "delay_s": "\(delay)"])
                    try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
                    if Task.isCancelled { return }
                    do {
                        child = try launch(events: continuation)
                        launchedAt = .now
                        running = true
                    } catch {
                        logger.error("nginx could not be restarted", metadata: ["error": "\(error)"])
                        continuation.yield(.exited(-1))
                    }
                case .exited:
                    running = false
                    logger.info("nginx stopped")
                    return
                case .shutdown:
                    // Graceful: workers finish their streams, bounded by worker_shutdown_timeout.
                    stopping = true
                    if running { child.signal(SIGQUIT) } else { return }
                case .reload:
                    continue
                }
            }
        } onGracefulShutdown: {
            continuation.yield(.shutdown)
        }
        if running {
            // Cancelled before nginx finished draining: stop it now rather than leave an orphan.
            child.signalGroup(SIGTERM)
        }
    }

    /// An nginx left running in this prefix by a `portico up` that was killed would hold the
    /// ports; it is ours, so it goes (gracefully, then by force).
    func stopStaleMaster() {
        guard let stale = controller.masterPID() else { return }
        logger.warning("stopping an nginx left running in this prefix", metadata: ["pid": "\(stale)"])
        kill(stale, SIGQUIT)
        for _ in 0..<50 where kill(stale, 0) == 0 { usleep(100_000) }
        if kill(stale, 0) == 0 { kill(-stale, SIGKILL); kill(stale, SIGKILL) }
    }

    /// Writes the plan and runs `nginx -t`.
    func install(_ plan: EdgePlan) throws {
        if case .prefix(let prefix) = controller.layout {
            try EdgeDeployer.preparePrefix(prefix)
        }
        try plan.text.write(toFile: controller.configPath, atomically: true, encoding: .utf8)
        let test = try controller.test()
        guard test.succeeded else { throw EdgeError("nginx -t rejected the rendered configuration:\n\(test.summary)") }
    }

    func launch(events: AsyncStream<Event>.Continuation) throws -> ChildProcess {
        let child = try ChildProcess.spawn(controller.foregroundArguments)
        logger.info("nginx started", metadata: ["pid": "\(child.pid)", "config": "\(controller.configPath)"])
        Thread.detachNewThread {
            let status = child.waitForExit()
            // Workers outlive a master that was killed and would keep the ports: take them down too.
            child.signalGroup(SIGKILL)
            events.yield(.exited(status))
        }
        return child
    }

    func reload(appPort: Int) async {
        do {
            let plan = try planner(appPort, true)
            let report = try await blocking {
                try EdgeDeployer(controller: self.controller, probeHost: self.probeHost)
                    .apply(plan, port: self.statusPort, force: true, reload: true, start: false)
            }
            logger.notice("edge configuration \(report.action.rawValue)", metadata: ["revision": "\(report.revision)", "workers": "\(report.workers)"])
            onReady(plan)
        } catch {
            logger.error("edge reload failed; the previous configuration keeps serving", metadata: ["error": "\(error)"])
        }
    }
}

/// The app's bound port, announced once by the HTTP server and awaited by the supervisor.
public final class AppPort: Sendable {
    private let stream: AsyncStream<Int>
    private let continuation: AsyncStream<Int>.Continuation

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .bufferingNewest(1))
    }

    public func announce(_ port: Int) {
        continuation.yield(port)
        continuation.finish()
    }

    func value() async -> Int? {
        for await port in stream { return port }
        return nil
    }
}

/// Runs blocking work (process spawns, short polls) off the cooperative pool.
func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

func blocking(_ work: @escaping @Sendable () -> Void) async {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async {
            work()
            continuation.resume()
        }
    }
}
