import Hummingbird
import Logging
import MCPHTTP
import NIOCore
import ServiceLifecycle

/// The `/metrics` listener: a small HTTP server of its own (loopback by default), so the
/// figures never share a port, a rate limit or an auth policy with the MCP endpoint.
///
/// A port that cannot be bound is logged and the MCP server goes on serving: metrics are
/// worth less than the service they describe.
struct MetricsListener: Service {
    let metrics: PorticoMetrics
    let live: PorticoMetrics.LiveState
    let host: String
    let port: Int
    let logger: Logger

    func run() async throws {
        let router = Router()
        let metrics = self.metrics
        let live = self.live
        // On loopback, only loopback Host names: a web page cannot read the figures through DNS rebinding.
        let hosts = OriginPolicy(allowedHosts: [], loopbackOnly: OriginPolicy.isLoopbackAddress(host))
        router.get("/metrics") { request, _ in
            guard hosts.allowsHost(request.head.authority) else {
                return Response(status: .forbidden, body: ResponseBody(byteBuffer: ByteBuffer(string: "Host not allowed\n")))
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: await metrics.render(live)))
        }
        router.get("/") { _, _ in "Portico metrics: GET /metrics\n" }
        let logger = self.logger
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "portico-metrics"),
            onServerRunning: { channel in
                logger.info("metrics listener is serving", metadata: ["url": "http://\(channel.localAddress?.ipAddress ?? "?"):\(channel.localAddress?.port ?? 0)/metrics"])
            },
            logger: logger)
        do {
            try await app.run()
        } catch {
            logger.error("metrics listener could not start; serving MCP without it", metadata: ["address": "\(host):\(port)", "error": "\(error)"])
            try? await gracefulShutdown()
        }
    }
}
