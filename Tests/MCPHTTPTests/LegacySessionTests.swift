import Hummingbird
import HummingbirdTesting
import MCPCore
import MCPHTTP
import NIOCore
import PorticoConfig
import Testing

@Suite("Legacy sessions (2025-03-26 … 2025-11-25)")
struct LegacySessionTests {
    @Test(arguments: [
        ("2025-03-26", "2025-03-26"), ("2025-06-18", "2025-06-18"), ("2025-11-25", "2025-11-25"),
        ("1.0.0", "2025-11-25"), ("2024-11-05", "2025-11-25"),
    ])
    func initializeEchoesASupportedVersionElseTheLatest(requested: String, negotiated: String) async throws {
        try await withPortico { client in
            let response = try await client.post(
                #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"\#(requested)","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#)
            #expect(response.status == .ok)
            #expect(response.json?["result"]?["protocolVersion"] == .string(negotiated))
            let sessionID = try #require(response.headers[.mcpSessionID])
            #expect(sessionID.utf8.count >= 43)
            #expect(sessionID.utf8.allSatisfy { (0x21...0x7E).contains($0) })
        }
    }

    @Test func initializePastTheSessionCapIs503WithRetryAfter() async throws {
        try await withPortico(configure: { $0.limits.maxSessions = 1 }) { client in
            _ = try await client.initializeSession()
            let refused = try await client.post(
                #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{}}}"#)
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers[.retryAfter] != nil)
            #expect(refused.errorCode == -32603)
        }
    }

    @Test func notificationsAreAcceptedWithAnEmptyBody() async throws {
        try await withPortico { client in
            let session = try await client.initializeSession()
            let response = try await client.post(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#, headers: Wire.baseHeaders + [("Mcp-Session-Id", session)])
            #expect(response.status == .accepted)
            #expect(response.body.readableBytes == 0)
        }
    }

    @Test(arguments: [
        (#""abc""#, #""abc""#), ("0", "0"), ("-1", "-1"), ("9007199254740993", "9007199254740993"),
        ("18446744073709551617", "18446744073709551617"), ("1.0", "1.0"),
    ])
    func requestIDsRoundTripExactly(id: String, expected: String) async throws {
        try await withPortico { client in
            let session = try await client.initializeSession()
            let response = try await client.post(#"{"jsonrpc":"2.0","id":\#(id),"method":"ping"}"#, headers: Wire.baseHeaders + [("Mcp-Session-Id", session)])
            #expect(response.bodyText == #"{"jsonrpc":"2.0","id":\#(expected),"result":{}}"#)
        }
    }

    @Test func batchesAreAnsweredOnlyAt20250326() async throws {
        try await withPortico { client in
            let old = try await client.initializeSession(version: "2025-03-26")
            let batch = #"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":2,"method":"tools/list"}]"#
            let answered = try await client.post(batch, headers: Wire.baseHeaders + [("Mcp-Session-Id", old)])
            #expect(answered.status == .ok)
            let replies = try #require(answered.json?.arrayValue)
            #expect(replies.count == 2)
            #expect(replies.map { $0["id"] } == [1, 2])

            let withInitialize = try await client.post(
                #"[{"jsonrpc":"2.0","id":3,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{}}}]"#,
                headers: Wire.baseHeaders + [("Mcp-Session-Id", old)])
            #expect(withInitialize.json?.arrayValue?.first?["error"]?["code"] == -32600)

            let newer = try await client.initializeSession(version: "2025-06-18")
            let refused = try await client.post(batch, headers: Wire.baseHeaders + [("Mcp-Session-Id", newer)])
            #expect(refused.status == .badRequest)
        }
    }

    @Test func deletedSessionsAnswer404() async throws {
        try await withPortico { client in
            let session = try await client.initializeSession()
            let deleted = try await client.execute(uri: "/mcp", method: .delete, headers: Wire.headers([("Mcp-Session-Id", session)]))
            #expect(deleted.status == .ok)
            let after = try await client.post(#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#, headers: Wire.baseHeaders + [("Mcp-Session-Id", session)])
            #expect(after.status == .notFound)
            #expect(after.errorCode == -32001)
        }
    }

    @Test func setLevelAcceptsKnownLevelsOnly() async throws {
        try await withPortico { client in
            let session = try await client.initializeSession()
            let headers = Wire.baseHeaders + [("Mcp-Session-Id", session)]
            let good = try await client.post(#"{"jsonrpc":"2.0","id":1,"method":"logging/setLevel","params":{"level":"warning"}}"#, headers: headers)
            #expect(good.json?["result"] == [:])
            let bad = try await client.post(#"{"jsonrpc":"2.0","id":2,"method":"logging/setLevel","params":{"level":"loud"}}"#, headers: headers)
            #expect(bad.errorCode == -32602)
        }
    }

    @Test func clientsThatAcceptOnlySSEGetAnEventStream() async throws {
        try await withPortico { client in
            let session = try await client.initializeSession()
            let response = try await client.post(
                #"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
                headers: [("Content-Type", "application/json"), ("Accept", "text/event-stream"), ("Mcp-Session-Id", session)])
            #expect(response.headers[.contentType] == "text/event-stream")
            #expect(response.headers[.xAccelBuffering] == "no")
            #expect(response.json?["result"]?["tools"]?.arrayValue?.isEmpty == false)
        }
    }

    @Test func progressSwitchesTheReplyToSSEInOrder() async throws {
        try await withPortico { client in
            let session = try await client.initializeSession()
            let response = try await client.post(
                #"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"slow_count","arguments":{"n":3,"delay_ms":1},"_meta":{"progressToken":"p"}}}"#,
                headers: Wire.baseHeaders + [("Mcp-Session-Id", session)])
            #expect(response.headers[.contentType] == "text/event-stream")
            let frames = response.bodyText.split(separator: "\n").filter { $0.hasPrefix("data: ") }.compactMap { try? JSONParser.parse(String($0.dropFirst(6))) }
            #expect(frames.count == 4)
            #expect(frames.prefix(3).map { $0["params"]?["progress"] } == [1, 2, 3])
            #expect(frames.last?["result"]?["content"]?.arrayValue?.first?["text"] == "counted to 3")
        }
    }

    @Test func invalidToolInputIsAToolErrorNamingTheField() async throws {
        try await withPortico { client in
            let session = try await client.initializeSession()
            let response = try await client.post(
                #"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":"two"}}}"#,
                headers: Wire.baseHeaders + [("Mcp-Session-Id", session)])
            let result = try #require(response.json?["result"])
            #expect(result["isError"] == true)
            let message = result["content"]?.arrayValue?.first?["text"]?.stringValue ?? ""
            #expect(message.contains("'b'"), "message: \(message)")
        }
    }
}
