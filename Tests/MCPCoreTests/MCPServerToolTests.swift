import MCPCore
import Testing

private struct SumInput: ToolInput {
    var a: Double
    var b: Double
    static let schema: JSONValue = [
        "type": "object", "properties": ["a": ["type": "number"], "b": ["type": "number"]], "required": ["a", "b"],
    ]
}

private struct OrderInput: ToolInput {
    struct Line: Decodable, Sendable {
        var name: String
        var count: Int
    }

    var items: [Line]
    static let schema: JSONValue = ["type": "object", "properties": ["items": ["type": "array"]], "required": ["items"]]
}

private struct ToolCrash: Error, CustomStringConvertible {
    var description: String { "disk on fire" }
}

@Suite("MCPServer tools/call")
struct MCPServerToolTests {
    static func server() throws -> MCPServer {
        let registry = Registry()
        try registry.register(Tool(name: "sum", input: SumInput.self) { input, _ in .text(String(input.a + input.b)) })
        try registry.register(Tool(name: "order", input: OrderInput.self) { input, _ in .text("\(input.items.count) lines") })
        try registry.register(Tool(name: "echo") { arguments, _ in .structured(.object(arguments)) })
        try registry.register(Tool(name: "refuse") { _, _ in throw ToolError("quota exceeded for today") })
        try registry.register(Tool(name: "crash") { _, _ in throw ToolCrash() })
        try registry.register(Tool(name: "strict") { _, _ in throw MCPError.invalidParams("strict says no") })
        try registry.register(Tool(name: "cancelled") { _, _ in throw CancellationError() })
        try registry.register(Tool(name: "ask", requiredClientCapabilities: ["sampling": [:]]) { _, context in .text("\(context.clientSupports("sampling"))") })
        return makeServer(registry)
    }

    @Test("a typed tool runs with decoded arguments", arguments: ProtocolVersion.allCases)
    func runsTypedTool(_ version: ProtocolVersion) async throws {
        let result = try await Self.server().call("tools/call", jsonObject(#"{"name":"sum","arguments":{"a":1,"b":2.5}}"#), version: version).get()
        #expect(firstText(result) == "3.5")
        #expect(result["isError"] == nil)
    }

    /// Arguments that do not fit the tool's input type, and what the message must name.
    static let badArguments: [(tool: String, arguments: String?, fragment: String)] = [
        ("sum", "{}", "missing required field 'a'"),
        ("sum", nil, "missing required field 'a'"),
        ("sum", #"{"a":1}"#, "missing required field 'b'"),
        ("sum", #"{"a":"one","b":2}"#, "field 'a' must be a number, got string"),
        ("sum", #"{"a":1,"b":[2]}"#, "field 'b' must be a number, got array"),
        ("sum", #"{"a":1,"b":null}"#, "field 'b'"),
        ("order", #"{"items":{}}"#, "field 'items' must be an array, got object"),
        ("order", #"{"items":[{"name":"a","count":1},{"name":2,"count":1}]}"#, "field 'items[1].name' must be a string, got integer"),
        ("order", #"{"items":[{"name":"a","count":1.5}]}"#, "field 'items[0].count' must be an integer, got 1.5"),
        ("order", #"{"items":[{"count":1}]}"#, "missing required field 'items[0].name'"),
    ]

    @Test("bad arguments for a typed tool are an isError result naming the field", arguments: badArguments)
    func reportsBadArguments(_ tool: String, _ arguments: String?, _ fragment: String) async throws {
        var params: JSONObject = ["name": .string(tool)]
        if let arguments { params["arguments"] = json(arguments) }
        let result = try await Self.server().call("tools/call", params, version: .v2025_11_25).get()
        #expect(result["isError"] == true)
        let text = try #require(firstText(result))
        #expect(text.hasPrefix("Invalid arguments for tool '\(tool)': "))
        #expect(text.contains(fragment), "message was \(text)")
    }

    @Test("an untyped tool receives the arguments object exactly as sent")
    func passesArguments() async throws {
        let arguments = #"{"z":1.0,"a":[true,null],"n":18446744073709551617}"#
        let result = try await Self.server().call("tools/call", ["name": "echo", "arguments": json(arguments)], version: .v2025_06_18).get()
        #expect(result["structuredContent"]?.jsonString == arguments)
        #expect(firstText(result) == arguments)
    }

    @Test("failures inside a tool become isError results", arguments: [
        ("refuse", "quota exceeded for today"),
        ("crash", "Tool 'crash' failed: disk on fire"),
    ])
    func reportsToolFailure(_ tool: String, _ message: String) async throws {
        for version in [ProtocolVersion.v2025_03_26, .v2026_07_28] {
            let result = try await Self.server().call("tools/call", ["name": .string(tool)], version: version).get()
            #expect(result["isError"] == true)
            #expect(result["content"] == [["type": "text", "text": .string(message)]])
        }
    }

    @Test("an MCPError thrown by a tool is the JSON-RPC error")
    func propagatesMCPError() async throws {
        let error = try await Self.server().call("tools/call", ["name": "strict"], version: .v2025_11_25).failureValue
        #expect(error?.code == .invalidParams)
        #expect(error?.message == "strict says no")
    }

    @Test("a cancelled tool is an internal error, not an isError result")
    func reportsCancellation() async throws {
        let error = try await Self.server().call("tools/call", ["name": "cancelled"], version: .v2025_11_25).failureValue
        #expect(error?.code == .internalError)
    }

    /// Malformed `tools/call` params and what the -32602 message must say.
    static let malformed: [(params: String, fragment: String)] = [
        (#"{"name":"nope"}"#, "Unknown tool: nope"),
        (#"{"name":"SUM"}"#, "Unknown tool: SUM"),
        ("{}", "'name' must be a string"),
        (#"{"name":7}"#, "'name' must be a string"),
        (#"{"name":"sum","arguments":[1,2]}"#, "'arguments' must be an object, got array"),
        (#"{"name":"sum","arguments":"a=1"}"#, "'arguments' must be an object, got string"),
    ]

    @Test("unknown tools and malformed params are -32602", arguments: malformed, [ProtocolVersion.v2025_11_25, .v2026_07_28])
    func refusesMalformed(_ entry: (params: String, fragment: String), _ version: ProtocolVersion) async throws {
        let error = try await Self.server().call("tools/call", jsonObject(entry.params), version: version).failureValue
        #expect(error?.code.rawValue == -32602)
        #expect(error?.message.contains(entry.fragment) == true, "message was \(error?.message ?? "none")")
    }

    @Test("a modern request missing a capability the tool needs is -32021 naming it")
    func refusesMissingCapability() async throws {
        let error = try await Self.server().call("tools/call", ["name": "ask"], version: .v2026_07_28, capabilities: ["roots": [:]]).failureValue
        #expect(error?.code.rawValue == -32021)
        #expect(error?.httpStatus == 400)
        #expect(error?.data == ["requiredCapabilities": ["sampling": [:]]])
    }

    static let declared: [(version: ProtocolVersion, capabilities: JSONObject, expected: String)] = [
        (.v2026_07_28, ["sampling": [:]], "true"),
        (.v2025_11_25, [:], "false"),
    ]

    @Test("the tool runs when the capability is declared, and legacy requests are not checked", arguments: declared)
    func runsWithCapability(_ version: ProtocolVersion, _ capabilities: JSONObject, _ expected: String) async throws {
        let result = try await Self.server().call("tools/call", ["name": "ask"], version: version, capabilities: capabilities).get()
        #expect(firstText(result) == expected)
    }

    @Test("tools/list entries carry the declared schema")
    func listsSchema() async throws {
        let result = try await Self.server().call("tools/list", version: .v2025_11_25).get()
        let sum = result["tools"]?.arrayValue?.first { $0["name"] == "sum" }
        #expect(sum?["inputSchema"] == SumInput.schema)
        #expect(sum?["inputSchema"]?.jsonString == SumInput.schema.jsonString)
    }
}
