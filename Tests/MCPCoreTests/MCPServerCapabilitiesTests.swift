import MCPCore
import Testing

@Suite("MCPServer capabilities")
struct MCPServerCapabilitiesTests {
    /// What a registry holds for one case.
    enum Contents: String, Sendable {
        case nothing, tool, resource, template, prompt, everything

        func registry() throws -> Registry {
            let registry = Registry()
            if self == .tool || self == .everything { try registry.register(makeTool("t")) }
            if self == .resource || self == .everything { try registry.register(Resource.text(uri: "mem://r", name: "r", "x")) }
            if self == .template || self == .everything {
                registry.register(ResourceTemplate(uriTemplate: "mem://{id}", name: "items") { _, _, _ in [] })
            }
            if self == .prompt || self == .everything { try registry.register(makePrompt("p")) }
            return registry
        }
    }

    static let cases: [(contents: Contents, version: ProtocolVersion, capabilities: String)] = [
        (.nothing, .v2025_03_26, #"{"logging":{}}"#),
        (.nothing, .v2025_11_25, #"{"logging":{}}"#),
        (.nothing, .v2026_07_28, "{}"),
        (.tool, .v2025_11_25, #"{"logging":{},"tools":{"listChanged":true}}"#),
        (.tool, .v2026_07_28, #"{"tools":{"listChanged":true}}"#),
        (.resource, .v2025_06_18, #"{"logging":{},"resources":{"subscribe":true,"listChanged":true}}"#),
        (.resource, .v2026_07_28, #"{"resources":{"subscribe":true,"listChanged":true}}"#),
        (.template, .v2025_11_25, #"{"logging":{},"completions":{},"resources":{"subscribe":true,"listChanged":true}}"#),
        (.template, .v2026_07_28, #"{"completions":{},"resources":{"subscribe":true,"listChanged":true}}"#),
        (.prompt, .v2025_11_25, #"{"logging":{},"completions":{},"prompts":{"listChanged":true}}"#),
        (.prompt, .v2026_07_28, #"{"completions":{},"prompts":{"listChanged":true}}"#),
        (
            .everything, .v2025_11_25,
            #"{"logging":{},"completions":{},"prompts":{"listChanged":true},"resources":{"subscribe":true,"listChanged":true},"tools":{"listChanged":true}}"#
        ),
        (
            .everything, .v2026_07_28,
            #"{"completions":{},"prompts":{"listChanged":true},"resources":{"subscribe":true,"listChanged":true},"tools":{"listChanged":true}}"#
        ),
    ]

    @Test("capabilities are declared only for what is registered", arguments: cases)
    func declaresRegistered(_ contents: Contents, _ version: ProtocolVersion, _ expected: String) throws {
        let server = makeServer(try contents.registry())
        #expect(JSONValue.object(server.capabilities(for: version)) == json(expected))
    }

    @Test("initialize and server/discover report the same capabilities", arguments: [Contents.nothing, .tool, .everything])
    func reportsCapabilities(_ contents: Contents) async throws {
        let server = makeServer(try contents.registry())
        let (_, initialized) = try server.initialize(makeRequest("initialize", ["protocolVersion": "2025-11-25"]))
        #expect(initialized["capabilities"] == .object(server.capabilities(for: .v2025_11_25)))
        let discovered = try await server.call("server/discover", version: .v2026_07_28).get()
        #expect(discovered["capabilities"] == .object(server.capabilities(for: .v2026_07_28)))
    }

    @Test("capabilities follow runtime registration and removal")
    func followsRegistry() throws {
        let registry = Registry()
        let server = makeServer(registry)
        #expect(server.capabilities(for: .v2026_07_28)["tools"] == nil)
        try registry.register(makeTool("t"))
        #expect(server.capabilities(for: .v2026_07_28)["tools"] == ["listChanged": true])
        registry.removeTool(named: "t")
        #expect(server.capabilities(for: .v2026_07_28)["tools"] == nil)
    }
}
