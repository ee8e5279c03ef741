import MCPCore
import Testing

@Suite("MCPServer modern results")
struct MCPServerModernResultTests {
    static let info = MCPServer.Info(
        name: "portico-test", version: "1.2.3", title: "Portico Test", description: "A test server", websiteURL: "https://example.invalid",
        instructions: "Be brief")

    static func server() throws -> MCPServer {
        let registry = Registry()
        try registry.register(makeTool("echo"))
        try registry.register(Resource.text(uri: "mem://r", name: "r", "hello"))
        registry.register(ResourceTemplate(uriTemplate: "mem://items/{id}", name: "items") { uri, _, _ in [ResourceContents(uri: uri, text: "item")] })
        try registry.register(makePrompt("p", arguments: [Prompt.Argument(name: "topic")]))
        return makeServer(registry, options: MCPServer.Options(listCacheTTLMilliseconds: 1234), info: info)
    }

    enum Caching: Sendable { case none, list, read }

    static let methods: [(method: String, params: String, caching: Caching)] = [
        ("tools/list", "{}", .list),
        ("resources/list", "{}", .list),
        ("resources/templates/list", "{}", .list),
        ("prompts/list", "{}", .list),
        ("server/discover", "{}", .list),
        ("resources/read", #"{"uri":"mem://r"}"#, .read),
        ("resources/read", #"{"uri":"mem://items/7"}"#, .read),
        ("tools/call", #"{"name":"echo"}"#, .none),
        ("prompts/get", #"{"name":"p"}"#, .none),
        ("completion/complete", #"{"ref":{"type":"ref/prompt","name":"p"},"argument":{"name":"topic","value":""}}"#, .none),
    ]

    @Test("2026-07-28 results carry resultType, serverInfo in _meta and the caching fields", arguments: methods)
    func decoratesModern(_ method: String, _ params: String, _ caching: Caching) async throws {
        let result = try await Self.server().call(method, jsonObject(params), version: .v2026_07_28).get()
        #expect(result["resultType"] == "complete")
        #expect(
            result["_meta"]?[MetaKey.serverInfo]
                == json(#"{"name":"portico-test","version":"1.2.3","title":"Portico Test","description":"A test server","websiteUrl":"https://example.invalid"}"#))
        switch caching {
        case .list:
            #expect(result["ttlMs"] == 1234)
            #expect(result["cacheScope"] == "public")
        case .read:
            #expect(result["ttlMs"] == 0)
            #expect(result["cacheScope"] == "public")
        case .none:
            #expect(result["ttlMs"] == nil)
            #expect(result["cacheScope"] == nil)
        }
    }

    @Test("legacy results carry none of the 2026-07-28 fields", arguments: methods.filter { $0.method != "server/discover" }, ProtocolVersion.legacy)
    func leavesLegacyAlone(_ entry: (method: String, params: String, caching: Caching), _ version: ProtocolVersion) async throws {
        let result = try await Self.server().call(entry.method, jsonObject(entry.params), version: version).get()
        for key in ["resultType", "_meta", "ttlMs", "cacheScope"] {
            #expect(result[key] == nil, "\(entry.method) has \(key)")
        }
    }

    @Test("server/discover lists the modern version first, then the legacy ones newest first, and the instructions")
    func discovers() async throws {
        let result = try await Self.server().call("server/discover", version: .v2026_07_28).get()
        #expect(result["supportedVersions"] == ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"])
        #expect(result["instructions"] == "Be brief")
    }

    @Test("a modern tool result keeps structuredContent and omits isError on success")
    func keepsStructuredContent() async throws {
        let registry = Registry()
        try registry.register(
            Tool(name: "meta") { _, _ in ToolResult(content: [], structuredContent: ["k": "v"]) })
        let result = try await makeServer(registry).call("tools/call", ["name": "meta"], version: .v2026_07_28).get()
        #expect(result["structuredContent"] == ["k": "v"])
        #expect(result["content"] == [])
        #expect(result["isError"] == nil)
    }
}
