// ceiling [PORT]: serves a constant 265-byte JSON-RPC reply on POST /mcp and "ok" on GET /healthz.
// Prints `listening http://127.0.0.1:PORT/mcp` once the socket accepts connections, like Portico,
// so the bench script can wait on the same line for both.
import Hummingbird
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

let port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 8090 : 8090

// Same bytes as Portico's `tools/call echo` reply for a 10-digit id (265 bytes, the width call.lua uses): the ceiling must
// pay the same write cost, only none of the parsing, dispatch or encoding.
let reply = #"{"jsonrpc":"2.0","id":1000000001,"result":{"content":[{"type":"text","text":"hello"}],"resultType":"complete","_meta":{"io.modelcontextprotocol/serverInfo":{"name":"portico","version":"0.1.0","title":"Portico","description":"A remote MCP server on your own box"}}}}"#
let replyBuffer = ByteBuffer(string: reply)
let okBuffer = ByteBuffer(string: "ok")

let router = Router()
router.post("/mcp") { request, _ -> Response in
    // Drain the body as a real handler must, then answer with the prebuilt buffer.
    _ = try await request.body.collect(upTo: 4 << 20)
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
