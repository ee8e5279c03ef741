import AsyncHTTPClient
public import CoreMetrics
public import MCPAuth
import MCPBridge
public import MCPCore
public import MCPHTTP
import NginxKit
import NIOCore
import NIOHTTP1
import Prometheus

/// Every figure `/metrics` shows, and how a scrape renders them.
///
/// Two kinds of figure: hot-path counters and histograms (requests, latencies, auth
/// failures, bridge call times) live in a Prometheus registry behind swift-metrics handles
/// that the modules make once; live state (sessions, streams, children, the event log,
/// nginx's connections) is read from its owner at each scrape, so it is exact and costs
/// nothing between scrapes.
public final class PorticoMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    /// The factory the modules make their handles from.
    public let factory: any MetricsFactory
    public let server: ServerMetrics
    public let authFailures: AuthFailureMetrics
    public let openStreams = OpenStreams()
    /// nginx's `stub_status` page, read at each scrape; `nil` without a managed edge.
    let nginxStatusURL: String?
    let version: String

    /// Latency buckets from 0.5 ms: most MCP calls answer in a few milliseconds, and tools
    /// that run scripts or children take seconds.
    static let durationBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
        .seconds(5), .seconds(10), .seconds(30), .seconds(60),
    ]

    /// `# HELP` of the families the modules make.
    static let help: [String: String] = [
        ServerMetrics.requestsLabel: "MCP requests that reached dispatch, by era, method, tool (tools/call) and outcome.",
        ServerMetrics.requestDurationLabel: "Handler time per MCP method.",
        ServerMetrics.toolDurationLabel: "Handler time per tool.",
        AuthFailureMetrics.label: "Requests the auth gate refused, by reason.",
        "portico_bridge_call_duration_seconds": "A call forwarded to a stdio source, from send to result.",
    ]

    public init(nginxStatusURL: String?, version: String) {
        let registry = PrometheusCollectorRegistry()
        var base = PrometheusMetricsFactory(registry: registry)
        base.defaultDurationHistogramBuckets = Self.durationBuckets
        let factory = DescribedMetricsFactory(registry: registry, base: base, help: Self.help, durationBuckets: Self.durationBuckets)
        self.registry = registry
        self.factory = factory
        self.server = ServerMetrics(factory: factory)
        self.authFailures = AuthFailureMetrics(factory: factory)
        self.nginxStatusURL = nginxStatusURL
        self.version = version
    }

    /// What a scrape reads besides the registry.
    struct LiveState: Sendable {
        let server: MCPServer
        let bridge: BridgeHost
        let httpSSEConnections: HTTPSSEConnections
    }

    /// The whole exposition: registry, live state, process, nginx.
    func render(_ live: LiveState) async -> ByteBuffer {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16_384)
        registry.emit(into: &bytes)
        var writer = ExpositionWriter(appendingTo: bytes)
        writer.family("portico_build_info", .gauge, help: "Always 1; the labels say which Portico and Swift runtime serve.")
        writer.sample("portico_build_info", ["version": version, "swift": Self.swiftVersion], 1)
        writeServer(live, into: &writer)
        writeBridge(live.bridge, into: &writer)
        writeProcess(into: &writer)
        if let nginxStatusURL { await writeNginx(nginxStatusURL, into: &writer) }
        return ByteBuffer(bytes: writer.bytes)
    }

    private func writeServer(_ live: LiveState, into writer: inout ExpositionWriter) {
        let server = live.server
        writer.family("portico_open_streams", .gauge, help: "SSE responses open now, by kind.")
        for kind in OpenStreams.Kind.allCases {
            writer.sample("portico_open_streams", ["kind": kind.label], openStreams.count(kind))
        }
        writer.single("portico_sessions", .gauge, help: "Legacy-era sessions (2025-11-25 and earlier, 2024-11-05 included).", Double(server.sessions.count))
        writer.single("portico_http_sse_connections", .gauge, help: "Open 2024-11-05 GET /sse connections.", Double(live.httpSSEConnections.count))
        writer.single("portico_event_log_bytes", .gauge, help: "Bytes of SSE events kept for resumption across all sessions.", Double(server.sessions.eventLog.bytes))
        writer.single("portico_event_log_limit_bytes", .gauge, help: "The event log's byte budget (streams.event_log_bytes).", Double(server.sessions.eventLog.limits.maximumBytes))
        writer.single("portico_listen_subscribers", .gauge, help: "Open 2026-07-28 subscriptions/listen streams.", Double(server.listeners.count))
    }

    private func writeBridge(_ bridge: BridgeHost, into writer: inout ExpositionWriter) {
        let sources = bridge.stdio.map(\.status)
        guard !sources.isEmpty else { return }
        writer.family("portico_bridge_children", .gauge, help: "Child processes of a stdio source: the pool plus per-session children.")
        for source in sources { writer.sample("portico_bridge_children", ["source": source.name], source.children) }
        writer.family("portico_bridge_children_up", .gauge, help: "Children that finished the MCP handshake and take calls.")
        for source in sources { writer.sample("portico_bridge_children_up", ["source": source.name], source.up) }
        writer.family("portico_bridge_child_restarts_total", .counter, help: "Child starts after the first, since Portico started.")
        for source in sources { writer.sample("portico_bridge_child_restarts_total", ["source": source.name], source.restarts) }
        writer.family("portico_bridge_in_flight", .gauge, help: "Remote calls sent to a source's children and not yet answered.")
        for source in sources { writer.sample("portico_bridge_in_flight", ["source": source.name], source.inFlight) }
    }

    private func writeProcess(into writer: inout ExpositionWriter) {
        let process = ProcessFigures.read()
        if let open = process.openDescriptors {
            writer.single("process_open_fds", .gauge, help: "Open file descriptors.", Double(open))
        }
        if let maximum = process.maximumDescriptors {
            writer.single("process_max_fds", .gauge, help: "The soft limit of open file descriptors (RLIMIT_NOFILE).", Double(maximum))
        }
        if let resident = process.residentBytes {
            writer.single("process_resident_memory_bytes", .gauge, help: "Resident memory.", Double(resident))
        }
    }

    /// nginx's connection figures, fetched now; `portico_nginx_up 0` when the page does not answer.
    private func writeNginx(_ url: String, into writer: inout ExpositionWriter) async {
        let figures = await Self.fetchStubStatus(url)
        writer.single("portico_nginx_up", .gauge, help: "1 when nginx's stub_status page answered this scrape.", figures == nil ? 0 : 1)
        guard let figures else { return }
        writer.single("portico_nginx_connections_active", .gauge, help: "Client connections open at nginx, waiting ones included.", Double(figures.active))
        writer.single("portico_nginx_connections_reading", .gauge, help: "Connections where nginx reads the request header.", Double(figures.reading))
        writer.single("portico_nginx_connections_writing", .gauge, help: "Connections where nginx writes the response (open streams included).", Double(figures.writing))
        writer.single("portico_nginx_connections_waiting", .gauge, help: "Idle keep-alive connections.", Double(figures.waiting))
        writer.single("portico_nginx_connections_accepted_total", .counter, help: "Client connections nginx accepted.", Double(figures.accepted))
        writer.single("portico_nginx_connections_handled_total", .counter, help: "Client connections nginx handled.", Double(figures.handled))
        writer.single("portico_nginx_http_requests_total", .counter, help: "Client requests nginx served.", Double(figures.requests))
    }

    static func fetchStubStatus(_ url: String) async -> StubStatus? {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(1))
            guard response.status == .ok else { return nil }
            let body = try await response.body.collect(upTo: 4_096)
            return StubStatus(String(buffer: body))
        } catch {
            return nil
        }
    }

    static let swiftVersion: String = {
        #if swift(>=6.3)
        "6.3"
        #elseif swift(>=6.2)
        "6.2"
        #else
        "6"
        #endif
    }()
}
