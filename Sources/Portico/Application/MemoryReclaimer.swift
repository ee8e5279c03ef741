import MCPCore
import MCPHTTP
import ServiceLifecycle

#if canImport(Glibc)
/// glibc's `malloc_trim(3)`; `<malloc.h>` is not part of the Glibc module map.
@_silgen_name("malloc_trim")
private func mallocTrim(_ pad: Int) -> Int32
#endif

/// Gives memory back to the system after many long-lived connections close.
///
/// Each open SSE stream costs its connection's buffers and tasks (about 22 KB with
/// Hummingbird on Linux, measured in `bench/streams.py`); glibc keeps freed memory in its
/// arenas, so after 10,000 streams close the process would stay at its peak. When the
/// number of open streams and sessions has fallen by `threshold` since its last peak,
/// `malloc_trim` returns the free pages.
struct MemoryReclaimer: Service {
    let server: MCPServer
    let httpSSEConnections: HTTPSSEConnections
    let keepAlive: KeepAliveTicker
    var threshold = 1_000
    var interval: Duration = .seconds(1)

    var load: Int {
        server.listeners.count + server.sessions.count + httpSSEConnections.count + keepAlive.watchedCount
    }

    func run() async throws {
        #if canImport(Glibc)
        try? await cancelWhenGracefulShutdown {
            var peak = load
            while true {
                try await Task.sleep(for: interval)
                let current = load
                if current > peak { peak = current }
                if peak - current >= threshold {
                    _ = mallocTrim(0)
                    peak = current
                }
            }
        }
        #else
        try? await gracefulShutdown()
        #endif
    }
}
