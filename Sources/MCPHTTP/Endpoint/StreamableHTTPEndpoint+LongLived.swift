import Hummingbird
import MCPCore
import NIOCore

extension StreamableHTTPEndpoint {
    /// Serves a long-lived stream (a listen stream, a 2024-11-05 `/sse` stream) on an open
    /// response: `opening` first, then every event with keep-alives while quiet, until the
    /// stream ends or the client leaves (seen by the close monitor, which closes the stream).
    func serveLongLived(
        _ stream: MessageStream, kind: OpenStreams.Kind, opening: ByteBuffer, channel: any Channel, writer: inout any ResponseBodyWriter
    ) async throws {
        openStreams.opened(kind)
        let registration = closeMonitor.add(channel: channel) { stream.close() }
        let ticking = keepAlive.add(stream)
        defer {
            closeMonitor.remove(registration)
            keepAlive.remove(ticking)
            stream.close()
            openStreams.closed(kind)
        }
        try await writer.write(opening)
        try await stream.writeSSE(to: &writer)
        try await writer.finish(nil)
    }
}
