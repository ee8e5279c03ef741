public import Hummingbird
public import Logging
public import MCPAuth
public import MCPBridge
public import MCPCore
public import MCPHTTP
public import NIOCore
public import PorticoConfig
public import ServiceLifecycle
import UnixSignals
#if canImport(Glibc)
import Glibc
#endif

/// The composition root: one MCP server, its HTTP endpoint, and the services that keep it
/// healthy, built from a ``PorticoConfiguration``.
///
/// ```swift
/// let portico = try PorticoServer(configuration: config, logger: logger)
/// try portico.server.registry.register(myTool)
/// try await portico.run()
/// ```
public struct PorticoServer: Sendable {
    public static let version = "0.1.0"

    public let configuration: PorticoConfiguration
    /// The protocol engine; register Swift tools, resources and prompts on `server.registry`.
    public let server: MCPServer
    let closeMonitor = ConnectionCloseMonitor()
    let keepAlive: KeepAliveTicker
    let deadlines: CallDeadlines
    /// Connections of the 2024-11-05 HTTP+SSE transport.
    let httpSSEConnections: HTTPSSEConnections
    /// The `sources:` of the config: stdio servers, commands and folders.
    public let bridge: BridgeHost
    /// Authentication (`auth:`); `nil` when it is off.
    public let gate: AuthGate?
    /// Every figure of `/metrics`; `nil` when `metrics.enabled` is off.
    public let metrics: PorticoMetrics?
    let logger: Logger

    /// - Parameter baseDirectory: where relative paths in `sources:` start (the config file's folder).
    public init(configuration: PorticoConfiguration, packs: [PorticoConfiguration.ToolPack]? = nil, baseDirectory: String = ".", logger: Logger) throws {
        // Everything that can throw runs before any stored property is set.
        let stateKeys = try configuration.requestState.keyBytes { name in getenv(name).map { String(cString: $0) } }
        let metrics = configuration.metrics.enabled
            ? PorticoMetrics(nginxStatusURL: configuration.metrics.nginxStatusURL, version: Self.version) : nil
        self.metrics = metrics
        gate = try AuthGate.make(configuration: configuration, failures: metrics?.authFailures, logger: logger)
        self.configuration = configuration
        self.logger = logger
        let streams = configuration.streams
        let sessions = SessionStore(
            limits: .init(
                maximumSessions: configuration.limits.maxSessions,
                idleTimeout: .seconds(configuration.limits.sessionIdleTimeoutSeconds),
                maximumSubscriptions: streams.maxSubscriptions),
            eventLog: EventLog(limits: .init(maximumBytes: streams.eventLogBytes, eventsPerStream: streams.eventsPerStream)),
            resumable: streams.resumable)
        httpSSEConnections = HTTPSSEConnections(maximumConnections: configuration.limits.maxSessions)
        deadlines = CallDeadlines(limit: configuration.limits.callTimeoutSeconds > 0 ? .seconds(configuration.limits.callTimeoutSeconds) : nil)
        keepAlive = KeepAliveTicker(interval: streams.keepaliveSeconds > 0 ? .milliseconds(Int64(streams.keepaliveSeconds * 1000)) : nil)
        server = MCPServer(
            info: MCPServer.Info(
                name: "portico", version: Self.version, title: "Portico",
                description: "A remote MCP server on your own box", websiteURL: nil,
                instructions: nil),
            sessions: sessions,
            listeners: ListenerHub(maximumListeners: streams.maxListeners),
            requestStates: RequestStateSealer(
                keys: stateKeys,
                lifetime: .seconds(configuration.requestState.ttlSeconds)),
            tasks: TaskStore(
                limits: .init(
                    maximumTasks: configuration.tasks.maxTasks, ttl: .seconds(configuration.tasks.ttlSeconds),
                    pollInterval: .milliseconds(configuration.tasks.pollIntervalMilliseconds))),
            options: .init(pageSize: configuration.limits.pageSize, access: AccessPolicy(auth: configuration.auth)),
            metrics: metrics?.server,
            logger: logger)
        for pack in packs ?? configuration.tools.packs {
            switch pack {
            case .demo: try DemoPack.register(in: server.registry)
            case .conformance: try ConformancePack.register(in: server)
            }
        }
        bridge = try BridgeHost(
            configuration: configuration, baseDirectory: baseDirectory, registry: server.registry,
            sessionExists: { [sessions] id in sessions.contains(id: id) }, metrics: metrics?.factory, logger: logger)
    }

    /// The endpoint's settings: path, body limit and DNS-rebinding policy from the config.
    public var endpointOptions: EndpointOptions {
        let listen = configuration.server
        return EndpointOptions(
            path: listen.path,
            maxBodyBytes: configuration.limits.maxBodyBytes,
            originPolicy: OriginPolicy(
                allowedHosts: listen.allowedHosts + (listen.publicAuthority.map { [$0] } ?? []),
                allowedOrigins: listen.allowedOrigins,
                loopbackOnly: OriginPolicy.isLoopbackAddress(listen.host),
                corsOrigins: listen.corsOrigins),
            retryMilliseconds: configuration.streams.retryMilliseconds,
            maximumSubscriptions: configuration.streams.maxSubscriptions,
            legacySSE: configuration.streams.legacySSE)
    }


    /// The Hummingbird router with the MCP endpoint, authentication's routes and a health route.
    public func makeRouter() -> Router<MCPRequestContext> {
        let router = Router(context: MCPRequestContext.self)
        // At info, like the line it writes: `level: warning` asks for fewer lines, not one per request.
        if configuration.logging.format == .json, configuration.logging.level.includesInfo {
            router.add(middleware: RequestLogMiddleware(label: logger.label))
        }
        let cors = CORSPolicy(origins: configuration.server.corsOrigins)
        if cors.isEnabled {
            // Added first: router middleware wraps only the routes registered after it.
            router.add(middleware: CORSMiddleware(policy: cors))
        }
        let endpoint = StreamableHTTPEndpoint<MCPRequestContext>(
            server: server, options: endpointOptions, closeMonitor: closeMonitor, keepAlive: keepAlive, deadlines: deadlines,
            gate: gate, openStreams: metrics?.openStreams ?? OpenStreams(), logger: logger)
        endpoint.register(on: router)
        var paths = [configuration.server.path]
        if configuration.streams.legacySSE {
            let legacy = HTTPSSEEndpoint(streamable: endpoint, connections: httpSSEConnections)
            legacy.register(on: router)
            paths += [legacy.streamPath, legacy.messagesPath]
        }
        if let gate {
            let routes = AuthRoutes<MCPRequestContext>(gate: gate, edgeCacheSeconds: configuration.auth.edge.offload ? configuration.auth.edge.cacheSeconds : nil)
            routes.register(on: router)
            paths += gate.metadata?.wellKnownPaths ?? []
        }
        if cors.isEnabled {
            // Preflights are answered by the middleware; the route only gives it a place to run.
            for path in paths { router.on(RouterPath(path), method: .options) { _, _ in Response(status: .noContent) } }
        }
        router.get("/healthz") { _, _ in "ok\n" }
        return router
    }

    /// The HTTP application: the router on HTTP/1.1 with the connection-close watcher installed.
    public func makeApplication(
        address: BindAddress? = nil, onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let listen = configuration.server
        let closeMonitor = self.closeMonitor
        return Application(
            router: makeRouter(),
            server: .http1(configuration: .init(additionalChannelHandlers: [closeMonitor.makeChannelHandler()])),
            configuration: .init(address: address ?? .hostname(listen.host, port: listen.port), serverName: "portico"),
            onServerRunning: onServerRunning,
            logger: logger)
    }

    /// Serves until SIGTERM or SIGINT, then drains: GET streams end first, in-flight calls get
    /// up to `drain_timeout_seconds` to finish.
    /// - Parameter onListening: called with the bound URL once the socket accepts connections.
    /// - Parameter services: more services to run in the same group (e.g. `portico up`'s nginx supervisor).
    /// - Parameter appPort: announced with the bound port.
    public func run(
        services: [any Service] = [], appPort: AppPort? = nil,
        onListening: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws {
        let listen = configuration.server
        let path = listen.path
        let app = makeApplication { channel in
            let port = channel.localAddress?.port ?? listen.port
            let host = listen.host.contains(":") ? "[\(listen.host)]" : listen.host
            onListening("http://\(host):\(port)\(path)")
            appPort?.announce(port)
        }
        // Before the listener opens: a required stdio server that cannot start stops the serve.
        if !bridge.isEmpty { try await bridge.start() }
        let housekeeping = SessionHousekeeping(server: server, httpSSEConnections: httpSSEConnections, interval: .seconds(30), logger: logger)
        let metricsListener: [any Service] = metrics.map { metrics in
            [MetricsListener(
                metrics: metrics, live: .init(server: server, bridge: bridge, httpSSEConnections: httpSSEConnections),
                host: configuration.metrics.host, port: configuration.metrics.port, logger: logger)]
        } ?? []
        var groupConfiguration = ServiceGroupConfiguration(
            // Extra services first: the group stops services in reverse order, so the app drains
            // its streams before the edge in front of it stops.
            // Deadlines too: they must keep cutting calls while the app drains.
            // The bridge stops after the app has drained, so in-flight bridged calls can finish.
            services: services.map { .init(service: $0) } + [
                .init(service: bridge),
                .init(service: deadlines), .init(service: app), .init(service: housekeeping), .init(service: keepAlive),
                .init(service: MemoryReclaimer(server: server, httpSSEConnections: httpSSEConnections, keepAlive: keepAlive)),
            ] + metricsListener.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(listen.drainTimeoutSeconds)
        let group = ServiceGroup(configuration: groupConfiguration)
        try await group.run()
    }
}

extension OriginPolicy {
    /// Whether a listen address is loopback-only, which turns the Host allow-list on by default.
    public static func isLoopbackAddress(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || isIPv4Loopback(host)
    }
}
