import MCPCore
import Testing

@Suite("MCPServer completion/complete")
struct MCPServerCompletionTests {
    static func server() throws -> MCPServer {
        let registry = Registry()
        // Completes `count` to as many values as the number typed so far.
        try registry.register(
            Prompt(
                name: "numbers", arguments: [Prompt.Argument(name: "count"), Prompt.Argument(name: "other")],
                complete: { _, prefix, _ in (0..<(Int(prefix) ?? 0)).map { "v\($0)" } }
            ) { _, _ in Prompt.Result(messages: []) })
        try registry.register(
            Prompt(
                name: "context", arguments: [Prompt.Argument(name: "city")],
                complete: { argument, prefix, context in
                    ["\(argument):\(prefix):" + context.keys.sorted().map { "\($0)=\(context[$0]!)" }.joined(separator: ",")]
                }
            ) { _, _ in Prompt.Result(messages: []) })
        try registry.register(makePrompt("plain", arguments: [Prompt.Argument(name: "x")]))
        registry.register(
            ResourceTemplate(uriTemplate: "mem://users/{id}", name: "users", complete: { variable, prefix in ["\(variable)=\(prefix)1", "\(variable)=\(prefix)2"] }) {
                _, _, _ in []
            })
        return makeServer(registry)
    }

    static func promptParams(_ name: String, _ argument: String, _ value: String) -> JSONObject {
        ["ref": ["type": "ref/prompt", "name": .string(name)], "argument": ["name": .string(argument), "value": .string(value)]]
    }

    @Test("at most 100 values are returned, with the total and whether more exist", arguments: [
        (0, 0, false), (1, 1, false), (99, 99, false), (100, 100, false), (101, 100, true), (250, 100, true),
    ])
    func capsValues(_ available: Int, _ shown: Int, _ hasMore: Bool) async throws {
        let result = try await Self.server().call("completion/complete", Self.promptParams("numbers", "count", String(available)), version: .v2025_11_25).get()
        let completion = try #require(result["completion"])
        #expect(completion["values"]?.arrayValue == (0..<shown).map { JSONValue.string("v\($0)") })
        #expect(completion["total"] == .number(JSONNumber(available)))
        #expect(completion["hasMore"] == .bool(hasMore))
    }

    @Test("the completer gets the argument, the prefix and the other arguments")
    func passesContext() async throws {
        var params = Self.promptParams("context", "city", "Par")
        params["context"] = ["arguments": ["country": "FR", "lang": "fr", "ignored": 3]]
        let result = try await Self.server().call("completion/complete", params, version: .v2026_07_28).get()
        #expect(result["completion"]?["values"] == ["city:Par:country=FR,lang=fr"])
    }

    @Test("a prompt without a completer completes to nothing")
    func noCompleter() async throws {
        let result = try await Self.server().call("completion/complete", Self.promptParams("plain", "x", "a"), version: .v2025_11_25).get()
        #expect(result["completion"] == ["values": [], "total": 0, "hasMore": false])
    }

    @Test("resource template variables complete through the template's completer")
    func completesTemplate() async throws {
        let params: JSONObject = ["ref": ["type": "ref/resource", "uri": "mem://users/{id}"], "argument": ["name": "id", "value": "a"]]
        let result = try await Self.server().call("completion/complete", params, version: .v2025_11_25).get()
        #expect(result["completion"] == ["values": ["id=a1", "id=a2"], "total": 2, "hasMore": false])
    }

    /// Malformed `completion/complete` params and what the -32602 message must say.
    static let malformed: [(params: String, fragment: String)] = [
        (#"{"argument":{"name":"count","value":""}}"#, "'ref' must be an object"),
        (#"{"ref":{"name":"numbers"},"argument":{"name":"count","value":""}}"#, "'ref' must be an object with a 'type'"),
        (#"{"ref":{"type":"ref/prompt","name":"numbers"}}"#, "'argument' must be an object"),
        (#"{"ref":{"type":"ref/prompt","name":"numbers"},"argument":{"name":"count","value":5}}"#, "'argument' must be an object"),
        (#"{"ref":{"type":"ref/tool","name":"numbers"},"argument":{"name":"count","value":""}}"#, "unknown reference type 'ref/tool'"),
        (#"{"ref":{"type":"ref/prompt","name":"missing"},"argument":{"name":"count","value":""}}"#, "unknown prompt"),
        (#"{"ref":{"type":"ref/prompt","name":"numbers"},"argument":{"name":"nope","value":""}}"#, "has no argument 'nope'"),
        (#"{"ref":{"type":"ref/resource"},"argument":{"name":"id","value":""}}"#, "'ref.uri' must be a string"),
        (#"{"ref":{"type":"ref/resource","uri":"mem://other/{id}"},"argument":{"name":"id","value":""}}"#, "unknown resource template"),
    ]

    @Test("malformed references and arguments are -32602", arguments: malformed)
    func refusesMalformed(_ params: String, _ fragment: String) async throws {
        let error = try await Self.server().call("completion/complete", jsonObject(params), version: .v2025_11_25).failureValue
        #expect(error?.code.rawValue == -32602)
        #expect(error?.message.contains(fragment) == true, "message was \(error?.message ?? "none")")
    }
}
