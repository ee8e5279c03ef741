import MCPCore
import Testing

@Suite("MCPServer prompts/get")
struct MCPServerPromptTests {
    static func server() throws -> MCPServer {
        let registry = Registry()
        try registry.register(
            Prompt(
                name: "review", description: "Review code",
                arguments: [Prompt.Argument(name: "code", required: true), Prompt.Argument(name: "style")]
            ) { arguments, _ in
                let keys = arguments.keys.sorted().map { "\($0)=\(arguments[$0]!)" }.joined(separator: ",")
                return Prompt.Result(messages: [.user(keys), Prompt.Message(role: .assistant, content: .text("ok"))])
            })
        try registry.register(
            Prompt(name: "custom", description: "from prompt") { _, _ in Prompt.Result(description: "from render", messages: []) })
        return makeServer(registry)
    }

    @Test("a missing required argument is -32602 naming it", arguments: [
        #"{"name":"review"}"#, #"{"name":"review","arguments":{}}"#, #"{"name":"review","arguments":null}"#,
        #"{"name":"review","arguments":{"style":"terse"}}"#,
    ])
    func refusesMissingRequired(_ params: String) async throws {
        for version in [ProtocolVersion.v2025_03_26, .v2026_07_28] {
            let error = try await Self.server().call("prompts/get", jsonObject(params), version: version).failureValue
            #expect(error?.code.rawValue == -32602)
            #expect(error?.message.contains("missing required argument 'code'") == true, "message was \(error?.message ?? "none")")
        }
    }

    /// Malformed `prompts/get` params and what the -32602 message must say.
    static let malformed: [(params: String, fragment: String)] = [
        ("{}", "'name' must be a string"),
        (#"{"name":["review"]}"#, "'name' must be a string"),
        (#"{"name":"unknown"}"#, "Unknown prompt: unknown"),
        (#"{"name":"review","arguments":{"code":1}}"#, "argument 'code' must be a string, got integer"),
        (#"{"name":"review","arguments":{"code":"x","style":false}}"#, "argument 'style' must be a string, got boolean"),
        (#"{"name":"review","arguments":["x"]}"#, "'arguments' must be an object, got array"),
    ]

    @Test("unknown prompts and malformed arguments are -32602", arguments: malformed)
    func refusesMalformed(_ params: String, _ fragment: String) async throws {
        let error = try await Self.server().call("prompts/get", jsonObject(params), version: .v2025_11_25).failureValue
        #expect(error?.code.rawValue == -32602)
        #expect(error?.message.contains(fragment) == true, "message was \(error?.message ?? "none")")
    }

    @Test("the prompt renders with the given arguments and the prompt's description")
    func renders() async throws {
        let result = try await Self.server().call("prompts/get", jsonObject(#"{"name":"review","arguments":{"style":"terse","code":"let x = 1"}}"#), version: .v2025_11_25).get()
        #expect(result["description"] == "Review code")
        #expect(
            result["messages"]
                == json(#"[{"role":"user","content":{"type":"text","text":"code=let x = 1,style=terse"}},{"role":"assistant","content":{"type":"text","text":"ok"}}]"#))
    }

    @Test("a description returned by the renderer wins over the prompt's")
    func renderDescription() async throws {
        let result = try await Self.server().call("prompts/get", ["name": "custom"], version: .v2025_11_25).get()
        #expect(result["description"] == "from render")
        #expect(result["messages"] == [])
    }

    @Test("prompts/list entries describe the arguments")
    func listsArguments() async throws {
        let result = try await Self.server().call("prompts/list", version: .v2025_11_25).get()
        #expect(
            result["prompts"]?.arrayValue?.first?.jsonString
                == #"{"name":"review","description":"Review code","arguments":[{"name":"code","required":true},{"name":"style","required":false}]}"#)
    }
}
