import Hummingbird
import HummingbirdTesting
import MCPCore
import MCPHTTP
import NIOCore
import PorticoConfig
import Testing

/// One row per transport validation rule: the exact HTTP status and JSON-RPC code.
struct ValidationCase: Sendable, CustomTestStringConvertible {
    var name: String
    var method: HTTPRequest.Method = .post
    var headers: [(String, String)]
    var body: String
    var status: Int
    var code: Int?

    var testDescription: String { name }
}

@Suite("Transport validation")
struct ValidationTests {
    static let listTools = #"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#
    static let modernList = #"{"jsonrpc":"2.0","id":7,"method":"tools/list","params":{"_meta":\#(Wire.modernMeta())}}"#

    static let sessionlessCases: [ValidationCase] = [
        ValidationCase(name: "Accept with neither MCP type is 406", headers: [("Content-Type", "application/json"), ("Accept", "text/html")], body: listTools, status: 406, code: -32600),
        ValidationCase(name: "non-JSON Content-Type is 415", headers: [("Content-Type", "text/plain"), ("Accept", "application/json")], body: listTools, status: 415, code: -32600),
        ValidationCase(name: "missing Content-Type is 415", headers: [("Accept", "application/json")], body: listTools, status: 415, code: -32600),
        ValidationCase(name: "malformed JSON is 400 parse error", headers: Wire.baseHeaders, body: #"{"jsonrpc":"2.0","#, status: 400, code: -32700),
        ValidationCase(name: "non-UTF-8 body is 400 parse error", headers: Wire.baseHeaders, body: #"{"jsonrpc":"2.0","id":1,"method":"\uD800"}"#, status: 400, code: -32700),
        ValidationCase(name: "jsonrpc member other than 2.0 is 400 invalid request", headers: Wire.baseHeaders, body: #"{"jsonrpc":"1.0","id":1,"method":"ping"}"#, status: 400, code: -32600),
        ValidationCase(name: "a null request id is 400 invalid request", headers: Wire.baseHeaders, body: #"{"jsonrpc":"2.0","id":null,"method":"ping"}"#, status: 400, code: -32600),
        ValidationCase(name: "a fractional request id is 400 invalid request", headers: Wire.baseHeaders, body: #"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#, status: 400, code: -32600),
        ValidationCase(name: "legacy request without session is 400", headers: Wire.baseHeaders, body: listTools, status: 400, code: -32600),
        ValidationCase(name: "unknown session is 404 with -32001", headers: Wire.baseHeaders + [("Mcp-Session-Id", "no-such-session")], body: listTools, status: 404, code: -32001),
        ValidationCase(name: "bad Origin is 403", headers: Wire.baseHeaders + [("Origin", "http://evil.example")], body: listTools, status: 403, code: -32600),
        ValidationCase(name: "batch without a 2025-03-26 session is 400", headers: Wire.baseHeaders, body: "[\(listTools)]", status: 400, code: -32600),
        ValidationCase(name: "unsupported legacy MCP-Protocol-Version is 400", headers: Wire.baseHeaders + [("MCP-Protocol-Version", "1999-01-01"), ("Mcp-Session-Id", "x")], body: listTools, status: 400, code: -32600),
        ValidationCase(name: "GET without session and 2026 version is 405", method: .get, headers: [("Accept", "text/event-stream"), ("MCP-Protocol-Version", "2026-07-28")], body: "", status: 405, code: -32600),
        ValidationCase(name: "DELETE without session is 400", method: .delete, headers: [], body: "", status: 400, code: -32600),
        ValidationCase(name: "DELETE of an unknown session is 404", method: .delete, headers: [("Mcp-Session-Id", "nope")], body: "", status: 404, code: -32001),
        // 2026-07-28 stateless rules
        ValidationCase(name: "modern request without _meta is 400 -32602", headers: Wire.modernHeaders(method: "server/discover"), body: #"{"jsonrpc":"2.0","id":101,"method":"server/discover","params":{}}"#, status: 400, code: -32602),
        ValidationCase(name: "modern _meta without clientCapabilities is 400 -32602", headers: Wire.modernHeaders(method: "tools/list"), body: #"{"jsonrpc":"2.0","id":104,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#, status: 400, code: -32602),
        ValidationCase(name: "version header differing from _meta is 400 -32020", headers: Wire.modernHeaders(method: "server/discover"), body: #"{"jsonrpc":"2.0","id":302,"method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"v999.0.0","io.modelcontextprotocol/clientCapabilities":{}}}}"#, status: 400, code: -32020),
        ValidationCase(name: "unsupported modern version is 400 -32022", headers: Wire.baseHeaders + [("MCP-Protocol-Version", "v999.0.0"), ("Mcp-Method", "server/discover")], body: #"{"jsonrpc":"2.0","id":301,"method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"v999.0.0","io.modelcontextprotocol/clientCapabilities":{}}}}"#, status: 400, code: -32022),
        ValidationCase(name: "missing version header is 400 -32020", headers: Wire.baseHeaders + [("Mcp-Method", "tools/list")], body: modernList, status: 400, code: -32020),
        ValidationCase(name: "missing Mcp-Method is 400 -32020", headers: Wire.baseHeaders + [("MCP-Protocol-Version", "2026-07-28")], body: modernList, status: 400, code: -32020),
        ValidationCase(name: "Mcp-Method differing from body is 400 -32020", headers: Wire.modernHeaders(method: "prompts/list"), body: modernList, status: 400, code: -32020),
        ValidationCase(name: "Mcp-Method value is case-sensitive", headers: Wire.modernHeaders(method: "TOOLS/LIST"), body: modernList, status: 400, code: -32020),
        ValidationCase(name: "missing Mcp-Name on tools/call is 400 -32020", headers: Wire.modernHeaders(method: "tools/call"), body: #"{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"},"_meta":\#(Wire.modernMeta())}}"#, status: 400, code: -32020),
        ValidationCase(name: "Mcp-Name differing from the tool is 400 -32020", headers: Wire.modernHeaders(method: "tools/call", name: "wrong_tool_name"), body: #"{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"},"_meta":\#(Wire.modernMeta())}}"#, status: 400, code: -32020),
        ValidationCase(name: "malformed base64 Mcp-Name is 400 -32020", headers: Wire.modernHeaders(method: "tools/call", name: "=?base64?ZWNo!!!?="), body: #"{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"},"_meta":\#(Wire.modernMeta())}}"#, status: 400, code: -32020),
        ValidationCase(name: "missing Mcp-Param header for an x-mcp-header parameter is 400 -32020", headers: Wire.modernHeaders(method: "tools/call", name: "test_header_param"), body: #"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"test_header_param","arguments":{"region":"us-west1"},"_meta":\#(Wire.modernMeta())}}"#, status: 400, code: -32020),
        ValidationCase(name: "Mcp-Param header differing from the body is 400 -32020", headers: Wire.modernHeaders(method: "tools/call", name: "test_header_param") + [("Mcp-Param-Region", "eu-west1")], body: #"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"test_header_param","arguments":{"region":"us-west1"},"_meta":\#(Wire.modernMeta())}}"#, status: 400, code: -32020),
        ValidationCase(name: "unknown modern method is 404 -32601", headers: Wire.modernHeaders(method: "no/such"), body: #"{"jsonrpc":"2.0","id":500,"method":"no/such","params":{"_meta":\#(Wire.modernMeta())}}"#, status: 404, code: -32601),
        ValidationCase(name: "initialize with modern _meta is 404 -32601", headers: Wire.modernHeaders(method: "initialize"), body: #"{"jsonrpc":"2.0","id":500,"method":"initialize","params":{"_meta":\#(Wire.modernMeta())}}"#, status: 404, code: -32601),
        ValidationCase(name: "ping is removed in 2026 (404 -32601)", headers: Wire.modernHeaders(method: "ping"), body: #"{"jsonrpc":"2.0","id":500,"method":"ping","params":{"_meta":\#(Wire.modernMeta())}}"#, status: 404, code: -32601),
        ValidationCase(name: "logging/setLevel is removed in 2026 (404 -32601)", headers: Wire.modernHeaders(method: "logging/setLevel"), body: #"{"jsonrpc":"2.0","id":500,"method":"logging/setLevel","params":{"level":"info","_meta":\#(Wire.modernMeta())}}"#, status: 404, code: -32601),
        ValidationCase(name: "resources/subscribe is removed in 2026 (404 -32601)", headers: Wire.modernHeaders(method: "resources/subscribe"), body: #"{"jsonrpc":"2.0","id":500,"method":"resources/subscribe","params":{"uri":"test://watched-resource","_meta":\#(Wire.modernMeta())}}"#, status: 404, code: -32601),
        ValidationCase(name: "missing required client capability is 400 -32021", headers: Wire.modernHeaders(method: "tools/call", name: "test_missing_capability"), body: #"{"jsonrpc":"2.0","id":401,"method":"tools/call","params":{"name":"test_missing_capability","arguments":{},"_meta":\#(Wire.modernMeta())}}"#, status: 400, code: -32021),
        ValidationCase(name: "a modern JSON-RPC response is 400 -32600", headers: Wire.modernHeaders(method: "x"), body: #"{"jsonrpc":"2.0","id":5,"result":{"_meta":\#(Wire.modernMeta())}}"#, status: 400, code: -32600),
        ValidationCase(name: "modern JSON array is 400", headers: Wire.modernHeaders(method: "tools/list"), body: "[\(modernList)]", status: 400, code: -32600),
    ]

    @Test(arguments: sessionlessCases)
    func refusesWithExactStatusAndCode(_ testCase: ValidationCase) async throws {
        try await withPortico { client in
            let response = try await client.execute(
                uri: "/mcp", method: testCase.method, headers: Wire.headers(testCase.headers),
                body: testCase.body.isEmpty ? nil : ByteBuffer(string: testCase.body))
            #expect(response.status.code == testCase.status, "\(testCase.name): body \(response.bodyText)")
            if let code = testCase.code {
                #expect(response.errorCode == code, "\(testCase.name): body \(response.bodyText)")
            }
        }
    }

    @Test func oversizedBodyIs413() async throws {
        try await withPortico(configure: { $0.limits.maxBodyBytes = 1024 }) { client in
            let padding = String(repeating: "a", count: 2048)
            let response = try await client.post(#"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"p":"\#(padding)"}}"#)
            #expect(response.status == .contentTooLarge)
        }
    }

    @Test func foreignHostIsRefusedOnLoopbackBind() async throws {
        try await withPortico { client in
            let response = try await client.post(
                Self.modernList, headers: Wire.modernHeaders(method: "tools/list") + [("Host", "evil.example.com"), ("Origin", "http://evil.example.com")])
            #expect(response.status == .forbidden)
        }
    }

    @Test func absentOriginIsAllowed() async throws {
        try await withPortico { client in
            let response = try await client.post(Self.modernList, headers: Wire.modernHeaders(method: "tools/list"))
            #expect(response.status == .ok)
            #expect(response.json?["result"]?["resultType"] == "complete")
        }
    }
}

@Suite("Accept negotiation")
struct AcceptNegotiationTests {
    /// (Accept header, expected status, expected Content-Type of the reply).
    static let cases: [(String, Int, String?)] = [
        ("application/json, text/event-stream", 200, "application/json"),
        ("text/event-stream", 200, "text/event-stream"),
        ("TEXT/EVENT-STREAM", 200, "text/event-stream"),
        ("application/json", 200, "application/json"),
        ("*/*", 200, "application/json"),
        ("application/*;q=0.5", 200, "application/json"),
        ("text/*", 200, "text/event-stream"),
        ("application/json;q=0, text/event-stream", 200, "text/event-stream"),
        ("application/json; q=0.0", 406, nil),
        ("text/html, image/png", 406, nil),
    ]

    @Test(arguments: cases)
    func repliesInATypeTheClientListed(accept: String, status: Int, contentType: String?) async throws {
        try await withPortico { client in
            let response = try await client.post(
                ValidationTests.modernList,
                headers: [("Content-Type", "application/json"), ("Accept", accept), ("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/list")])
            #expect(response.status.code == status, "Accept: \(accept) → \(response.bodyText)")
            if let contentType { #expect(response.headers[.contentType] == contentType) }
        }
    }
}
