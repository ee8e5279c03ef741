import CoreMetrics
import MCPCore
import MetricsTestKit
import Testing

@Suite("Request metrics")
struct ServerMetricsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var method: String
        var params: JSONObject
        var version: ProtocolVersion
        var era: String
        var countedMethod: String
        var tool: String
        var outcome: String
        var testDescription: String { "\(method) \(params["name"]?.stringValue ?? "") at \(version.rawValue) → \(outcome)" }
    }

    static let cases: [Case] = [
        Case(method: "tools/call", params: ["name": "echo", "arguments": ["x": 1]], version: .v2026_07_28, era: "stateless", countedMethod: "tools/call", tool: "echo", outcome: "ok"),
        Case(method: "tools/call", params: ["name": "echo"], version: .v2025_11_25, era: "session", countedMethod: "tools/call", tool: "echo", outcome: "ok"),
        Case(method: "tools/call", params: ["name": "refuse"], version: .v2026_07_28, era: "stateless", countedMethod: "tools/call", tool: "refuse", outcome: "tool_error"),
        Case(method: "tools/call", params: ["name": "strict"], version: .v2025_06_18, era: "session", countedMethod: "tools/call", tool: "strict", outcome: "error"),
        // A made-up tool name never gets a series of its own.
        Case(method: "tools/call", params: ["name": "no-such-tool"], version: .v2026_07_28, era: "stateless", countedMethod: "tools/call", tool: "other", outcome: "error"),
        Case(method: "tools/list", params: [:], version: .v2026_07_28, era: "stateless", countedMethod: "tools/list", tool: "", outcome: "ok"),
        Case(method: "ping", params: [:], version: .v2025_03_26, era: "session", countedMethod: "ping", tool: "", outcome: "ok"),
        // Unknown methods share one series, whatever their name.
        Case(method: "made/up", params: [:], version: .v2026_07_28, era: "stateless", countedMethod: "other", tool: "", outcome: "error"),
    ]

    static func server(_ metrics: TestMetrics) throws -> MCPServer {
        let registry = Registry()
        try registry.register(Tool(name: "echo") { arguments, _ in .structured(.object(arguments)) })
        try registry.register(Tool(name: "refuse") { _, _ in throw ToolError("quota exceeded") })
        try registry.register(Tool(name: "strict") { _, _ in throw MCPError.invalidParams("strict says no") })
        return MCPServer(info: .init(name: "t", version: "1"), registry: registry, metrics: ServerMetrics(factory: metrics), logger: quietLogger)
    }

    @Test(arguments: cases)
    func eachRequestIsCountedOnceUnderItsEraMethodToolAndOutcome(_ testCase: Case) async throws {
        let metrics = TestMetrics()
        let server = try Self.server(metrics)
        _ = await server.call(testCase.method, testCase.params, version: testCase.version)
        let dimensions = [("era", testCase.era), ("method", testCase.countedMethod), ("tool", testCase.tool), ("outcome", testCase.outcome)]
        #expect(try metrics.expectCounter("portico_requests_total", dimensions).totalValue == 1)
        #expect(metrics.counterTotal(label: "portico_requests_total") == 1)
        let timer = try metrics.expectTimer("portico_request_duration_seconds", [("method", testCase.countedMethod)])
        #expect(timer.values.count == 1)
        if testCase.countedMethod == "tools/call" {
            #expect(try metrics.expectTimer("portico_tool_duration_seconds", [("tool", testCase.tool)]).values.count == 1)
        }
    }

    /// The era is the way in, not the version: an HTTP+SSE session (the one with a push stream)
    /// counts as `http_sse` whatever it negotiated, a Streamable HTTP session as `session`.
    @Test(arguments: [(true, "http_sse"), (false, "session")])
    func aSessionsEraIsItsTransport(pushStream: Bool, era: String) async throws {
        let metrics = TestMetrics()
        let server = try Self.server(metrics)
        let session = try #require(server.sessions.create(protocolVersion: .v2025_06_18, clientCapabilities: [:], clientInfo: nil))
        if pushStream { #expect(session.attachPushStream(MessageStream())) }
        let request = makeRequest("tools/call", ["name": "echo"])
        let context = HandlerContext(
            requestID: request.id, protocolVersion: session.protocolVersion, clientCapabilities: [:], clientInfo: nil,
            progressToken: nil, requestLogLevel: nil, session: session, stream: nil, logger: quietLogger)
        _ = await server.handle(request, context: context)
        let dimensions = [("era", era), ("method", "tools/call"), ("tool", "echo"), ("outcome", "ok")]
        #expect(try metrics.expectCounter("portico_requests_total", dimensions).totalValue == 1)
    }

    @Test func handlesAreMadeOnceNotPerRequest() async throws {
        let metrics = TestMetrics()
        let server = try Self.server(metrics)
        _ = await server.call("tools/call", ["name": "echo"], version: .v2026_07_28)
        let counters = metrics.counters.count
        let timers = metrics.timers.count
        for index in 0..<50 {
            _ = await server.call("tools/call", ["name": "echo"], version: .v2026_07_28)
            _ = await server.call("tools/call", ["name": .string("invented-\(index)")], version: .v2026_07_28)
            _ = await server.call("tools/list", version: .v2025_11_25)
            _ = await server.call("invented/\(index)", version: .v2026_07_28)
        }
        #expect(metrics.counters.count == counters)
        #expect(metrics.timers.count == timers)
        #expect(metrics.counterTotal(label: "portico_requests_total") == 201)
    }

    @Test func initializeIsCountedUnderTheNegotiatedEra() throws {
        let metrics = TestMetrics()
        let server = try Self.server(metrics)
        _ = try server.initialize(makeRequest("initialize", ["protocolVersion": "2025-06-18", "capabilities": [:]]))
        #expect(try metrics.expectCounter("portico_requests_total", [("era", "session"), ("method", "initialize"), ("tool", ""), ("outcome", "ok")]).totalValue == 1)
        #expect(throws: MCPError.self) { try server.initialize(makeRequest("initialize", [:])) }
        #expect(try metrics.expectCounter("portico_requests_total", [("era", "session"), ("method", "initialize"), ("tool", ""), ("outcome", "error")]).totalValue == 1)
    }

    @Test func withoutMetricsTheServerHasNoneAndStillAnswers() async throws {
        let server = makeServer()
        #expect(server.metrics == nil)
        #expect(await server.call("tools/list", version: .v2026_07_28).successValue != nil)
    }
}
