public import CoreMetrics
public import Logging
public import MCPCore
public import PorticoConfig
public import ServiceLifecycle
import Synchronization

/// Every tool source declared under `sources:` in the config, registered into one registry
/// and kept running for the life of the server.
///
/// `start()` runs before the HTTP listener opens, so a required stdio server that cannot
/// start stops `portico serve` with a clear error instead of serving without its tools. As a
/// `Service` it then waits for shutdown and stops the children (stdin closed first, the way
/// stdio servers expect to be told to exit).
public final class BridgeHost: Service, Sendable {
    public let stdio: [StdioSource]
    public let files: [FilesSource]
    private let required: [String: Bool]
    private let tasks = Mutex<[Task<Void, Never>]>([])
    private let watchers = Mutex<[Task<Void, Never>]>([])
    private let logger: Logger

    /// Builds the sources; relative paths (`cwd`, `root`) are resolved against `baseDirectory`
    /// (the config file's folder).
    /// `sessionExists` tells per-session sources when a legacy session has ended.
    public init(
        configuration: PorticoConfiguration, baseDirectory: String, registry: Registry, owners: ToolOwners = ToolOwners(),
        sessionExists: @escaping @Sendable (String) -> Bool = { _ in true }, metrics: (any MetricsFactory)? = nil, logger: Logger
    ) throws {
        self.logger = logger
        let sources = configuration.sources
        for tool in registry.tools { _ = owners.claim(tool.name, for: "Portico's built-in tools") }
        var required: [String: Bool] = [:]
        stdio = sources.stdio.map { stdio in
            required[stdio.name] = stdio.required
            let command = ChildCommand(stdio, configuration: configuration, baseDirectory: baseDirectory)
            let changes = ChangeSignal()
            let restarts = RestartTally()
            let sessions = stdio.mode == .perSession
                ? SessionChildren(
                    source: stdio.name, command: command, maximum: stdio.maxSessionChildren, sessionExists: sessionExists, changes: changes,
                    restarts: restarts, logger: logger)
                : nil
            return StdioSource(
                name: stdio.name, command: command, pool: stdio.pool, maxInFlight: stdio.maxInFlight, prefix: stdio.prefix,
                sessions: sessions, changes: changes, restarts: restarts, registry: registry, owners: owners,
                parkingLifetime: .seconds(configuration.requestState.ttlSeconds), metrics: metrics, logger: logger)
        }
        self.required = required
        for command in sources.commands {
            if let earlier = owners.claim(command.name, for: "command '\(command.name)'") {
                throw BridgeStartError(problems: ["tool name '\(command.name)' of command '\(command.name)' clashes with \(earlier)"])
            }
            try registry.register(try CommandTool.make(command, baseDirectory: baseDirectory))
        }
        files = try sources.files.map { folder in
            for tool in PorticoConfiguration.Sources.filesToolNames(prefix: folder.prefix) {
                if let earlier = owners.claim(tool, for: "files source '\(folder.name)'") {
                    throw BridgeStartError(problems: ["tool name '\(tool)' of files source '\(folder.name)' clashes with \(earlier); set a prefix on one of them"])
                }
            }
            return try FilesSource(folder, baseDirectory: baseDirectory, registry: registry, logger: logger)
        }
    }

    /// Whether there are child processes to keep running.
    public var isEmpty: Bool { stdio.isEmpty && files.isEmpty }

    /// Starts every stdio source and waits until each child has started or failed once.
    /// Throws when a required source could not start or its names clash with another's.
    public func start() async throws {
        for folder in files { await folder.build() }
        let started = stdio.map { source in Task { await source.run() } }
        tasks.withLock { $0 += started }
        let watching = files.map { folder in Task { await folder.run() } }
        watchers.withLock { $0 += watching }
        var problems: [String] = []
        for source in stdio {
            if let failure = try await source.waitForFirstStart() {
                if required[source.name] ?? true {
                    problems.append(failure.atStartup.description)
                } else {
                    logger.error("optional stdio source did not start; retrying in the background", metadata: ["mcp.source": "\(source.name)", "error": "\(failure)"])
                }
            }
            problems += source.catalog.problems
        }
        if !problems.isEmpty {
            await stop()
            throw BridgeStartError(problems: problems)
        }
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await stop()
    }

    /// Closes every child's stdin and gives them two seconds to exit; then cancels their
    /// supervisors, which send SIGTERM to each remaining process group and SIGKILL two
    /// seconds later.
    public func stop() async {
        for source in stdio { source.stop() }
        // Folder watchers have nothing to drain.
        for task in watchers.withLock({ $0 }) { task.cancel() }
        let running = tasks.withLock { tasks in
            defer { tasks.removeAll() }
            return tasks
        }
        let deadline = Task {
            try? await Task.sleep(for: .seconds(2))
            for task in running { task.cancel() }
        }
        for task in running { await task.value }
        deadline.cancel()
        for task in watchers.withLock({ $0 }) { await task.value }
    }

    /// A program written as a relative path (`.venv/bin/python`) is found from the config
    /// file's folder; a bare name (`python`) on `PATH`.
    static func program(_ name: String, base: String) -> String {
        name.contains("/") ? resolve(name, against: base) : name
    }

    static func resolve(_ path: String, against base: String) -> String {
        path.hasPrefix("/") ? path : (base.hasSuffix("/") ? base : base + "/") + path
    }
}

/// Sources that could not start when `portico serve` began.
public struct BridgeStartError: Error, Sendable, CustomStringConvertible {
    public var problems: [String]
    public var description: String { problems.joined(separator: "\n") }
}
