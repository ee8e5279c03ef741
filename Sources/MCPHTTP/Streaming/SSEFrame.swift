import Hummingbird
import MCPCore
import NIOCore

/// Server-Sent Events framing (WHATWG HTML §9.2), written into one buffer per frame.
///
/// JSON-RPC messages never contain raw newlines (the writer escapes them), so each
/// message is exactly one `data:` line.
enum SSEFrame {
    static func message(_ json: [UInt8], id: String? = nil, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: json.count + 32)
        if let id {
            buffer.writeStaticString("id: ")
            buffer.writeString(id)
            buffer.writeStaticString("\n")
        }
        buffer.writeStaticString("event: message\ndata: ")
        buffer.writeBytes(json)
        buffer.writeStaticString("\n\n")
        return buffer
    }

    /// A comment line; clients ignore it, proxies see traffic.
    static let keepAlive: ByteBuffer = ByteBuffer(staticString: ": keepalive\n\n")

    /// The 2025-11-25 priming event: an id to resume from, the reconnection delay, empty data
    /// (transports §Sending Messages to the Server). Only for sessions at 2025-11-25 or later:
    /// older clients parse the empty data as JSON and fail.
    static func priming(id: String, retryMilliseconds: Int) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(48)
        buffer.writeStaticString("id: ")
        buffer.writeString(id)
        buffer.writeStaticString("\nretry: ")
        buffer.writeString(String(retryMilliseconds))
        buffer.writeStaticString("\ndata: \n\n")
        return buffer
    }

    /// A bare `retry:` field, sent before the server closes a connection it means the client to resume.
    static func retry(_ milliseconds: Int) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeStaticString("retry: ")
        buffer.writeString(String(milliseconds))
        buffer.writeStaticString("\n\n")
        return buffer
    }

    /// A 2024-11-05 `endpoint` event naming where the client POSTs its messages.
    static func endpoint(_ uri: String) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeStaticString("event: endpoint\ndata: ")
        buffer.writeString(uri)
        buffer.writeStaticString("\n\n")
        return buffer
    }
}

extension MessageStream {
    /// Writes events as SSE frames, `first` (if any) and then what the stream yields, until
    /// the final reply or the stream's end; keep-alive wake-ups become comments. A
    /// `.disconnect` is ignored: these streams cannot be resumed, so polling does not apply.
    func writeSSE(startingWith first: MessageStream.Event? = nil, to writer: inout any ResponseBodyWriter) async throws {
        var next = first
        if next == nil { next = await self.next() }
        while let event = next {
            switch event {
            case .message(let bytes): try await writer.write(SSEFrame.message(bytes))
            case .final(let bytes):
                try await writer.write(SSEFrame.message(bytes))
                return
            case .idle: try await writer.write(SSEFrame.keepAlive)
            case .disconnect: break
            }
            next = await self.next()
        }
    }
}
