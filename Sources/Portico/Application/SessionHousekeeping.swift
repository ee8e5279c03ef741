import Logging
import MCPCore
import MCPHTTP
import ServiceLifecycle

/// Reaps idle legacy sessions and expired tasks on a timer and, on graceful shutdown, ends every long-lived stream
/// first so the HTTP server can drain the remaining calls.
struct SessionHousekeeping: Service {
    let server: MCPServer
    let httpSSEConnections: HTTPSSEConnections
    let interval: Duration
    let logger: Logger

    func run() async throws {
        // Graceful shutdown cancels the timer loop; then the streams are closed.
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: interval)
                server.tasks.sweep()
                let reaped = server.sessions.reapIdle()
                if reaped > 0 {
                    logger.info("reaped idle sessions", metadata: ["count": "\(reaped)", "live": "\(server.sessions.count)"])
                }
            }
        }
        server.closeLongLivedStreams()
        httpSSEConnections.closeAll()
    }
}
