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
}
