// ceiling [PORT]: serves a constant 265-byte JSON-RPC reply on POST /mcp and "ok" on GET /healthz.
// For the stream benchmark (bench/streams.py) a POST whose body names `subscriptions/listen`
// instead opens an SSE stream that writes one acknowledgement and then every broadcast, and a
// POST naming `test_trigger_tool_change` broadcasts one notification to every open stream: the
// least a server can do per listener, with Hummingbird's per-connection cost and nothing else.
// Prints `listening http://127.0.0.1:PORT/mcp` once the socket accepts connections, like Portico,
// so the bench script can wait on the same line for both.
import Hummingbird
import NIOCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

let port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 8090 : 8090

// Same bytes as Portico's `tools/call echo` reply for a 10-digit id (265 bytes, the width call.lua uses): the ceiling must
// pay the same write cost, only none of the parsing, dispatch or encoding.
let reply = #"{"jsonrpc":"2.0","id":1000000001,"result":{"content":[{"type":"text","text":"hello"}],"resultType":"complete","_meta":{"io.modelcontextprotocol/serverInfo":{"name":"portico","version":"0.1.0","title":"Portico","description":"A remote MCP server on your own box"}}}}"#
let replyBuffer = ByteBuffer(string: reply)
let okBuffer = ByteBuffer(string: "ok")

/// Every open listen stream's continuation, keyed by a counter.
final class Broadcaster: Sendable {
    private let streams = Mutex<(next: Int, all: [Int: AsyncStream<ByteBuffer>.Continuation])>((0, [:]))

    func open() -> (Int, AsyncStream<ByteBuffer>) {
        let (stream, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        let key = streams.withLock { state in
            state.next += 1
            state.all[state.next] = continuation
            return state.next
        }
        return (key, stream)
    }

    func close(_ key: Int) { _ = streams.withLock { $0.all.removeValue(forKey: key) } }

    func send(_ buffer: ByteBuffer) {
        for continuation in streams.withLock({ Array($0.all.values) }) { continuation.yield(buffer) }
    }
}

let broadcaster = Broadcaster()
let ack = ByteBuffer(string: "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/subscriptions/acknowledged\",\"params\":{}}\n\n")
let changed = ByteBuffer(string: "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\",\"params\":{}}\n\n")

let router = Router()
router.post("/mcp") { request, _ -> Response in
    // Drain the body as a real handler must, then answer with the prebuilt buffer.
    let body = try await request.body.collect(upTo: 4 << 20)
    let text = String(buffer: body)
    if text.contains("subscriptions/listen") {
        let (key, stream) = broadcaster.open()
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream"],
            body: ResponseBody { writer in
                defer { broadcaster.close(key) }
                try await writer.write(ack)
                for await frame in stream { try await writer.write(frame) }
                try await writer.finish(nil)
            })
    }
    if text.contains("test_trigger_tool_change") { broadcaster.send(changed) }
    return Response(
        status: .ok,
        headers: [.contentType: "application/json"],
        body: .init(byteBuffer: replyBuffer)
    )
}
router.get("/healthz") { _, _ -> Response in
    Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: okBuffer))
}

var app = Application(
    router: router,
    configuration: .init(address: .hostname("127.0.0.1", port: port)),
    onServerRunning: { _ in
        // Straight to fd 1: unbuffered, so a reader of a redirected stdout sees it at once.
        let line = "listening http://127.0.0.1:\(port)/mcp\n"
        _ = line.utf8CString.withUnsafeBufferPointer { write(1, $0.baseAddress, $0.count - 1) }
    }
)
app.logger.logLevel = .warning
try await app.runService()
