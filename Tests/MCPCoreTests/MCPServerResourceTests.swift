import MCPCore
import Testing

@Suite("MCPServer resources")
struct MCPServerResourceTests {
    static func server() throws -> MCPServer {
        let registry = Registry()
        try registry.register(Resource.text(uri: "mem://readme", name: "readme", mimeType: "text/markdown", "# Hi"))
        try registry.register(Resource(uri: "mem://empty", name: "empty") { _ in [] })
        try registry.register(Resource(uri: "mem://blob", name: "blob") { _ in [ResourceContents(uri: "mem://blob", mimeType: "image/png", blob: "iVBORw0K")] })
        registry.register(
            ResourceTemplate(uriTemplate: "mem://users/{id}/files/{+path}", name: "files") { uri, variables, _ in
                [ResourceContents(uri: uri, text: "\(variables["id"] ?? "?")|\(variables["path"] ?? "?")")]
            })
        registry.register(
            ResourceTemplate(uriTemplate: "mem://users/{id}", name: "users") { uri, variables, _ in
                [ResourceContents(uri: uri, text: "user \(variables["id"] ?? "?")")]
            })
        return makeServer(registry)
    }

    @Test("an unknown URI is -32002 with data.uri for a legacy version", arguments: ProtocolVersion.legacy, ["mem://nothing", "mem://empty", "mem://users/"])
    func legacyNotFound(_ version: ProtocolVersion, _ uri: String) async throws {
        let error = try await Self.server().call("resources/read", ["uri": .string(uri)], version: version).failureValue
        #expect(error?.code.rawValue == -32002)
        #expect(error?.data == ["uri": .string(uri)])
        #expect(error?.message.contains(uri) == true)
    }

    @Test("an unknown URI is -32602 with data.uri for 2026-07-28", arguments: ["mem://nothing", "mem://empty", "mem://users/"])
    func modernNotFound(_ uri: String) async throws {
        let error = try await Self.server().call("resources/read", ["uri": .string(uri)], version: .v2026_07_28).failureValue
        #expect(error?.code.rawValue == -32602)
        #expect(error?.data == ["uri": .string(uri)])
    }

    @Test("resources/read returns the contents of a fixed resource or of the first matching template", arguments: [
        ("mem://readme", ##"[{"uri":"mem://readme","mimeType":"text/markdown","text":"# Hi"}]"##),
        ("mem://blob", #"[{"uri":"mem://blob","mimeType":"image/png","blob":"iVBORw0K"}]"#),
        ("mem://users/42", #"[{"uri":"mem://users/42","text":"user 42"}]"#),
        ("mem://users/a%20b", #"[{"uri":"mem://users/a%20b","text":"user a b"}]"#),
        ("mem://users/7/files/docs/a.txt", #"[{"uri":"mem://users/7/files/docs/a.txt","text":"7|docs/a.txt"}]"#),
    ])
    func reads(_ uri: String, _ contents: String) async throws {
        let result = try await Self.server().call("resources/read", ["uri": .string(uri)], version: .v2025_11_25).get()
        #expect(result["contents"]?.jsonString == contents)
    }

    @Test("a uri that is not a string is -32602", arguments: ["{}", #"{"uri":1}"#, #"{"uri":null}"#])
    func refusesMissingURI(_ params: String) async {
        let error = await makeServer().call("resources/read", jsonObject(params), version: .v2025_11_25).failureValue
        #expect(error?.code == .invalidParams)
        #expect(error?.message.contains("'uri'") == true)
    }

    @Test("list entries describe the resources and templates")
    func listsEntries() async throws {
        let server = try Self.server()
        let resources = try await server.call("resources/list", version: .v2025_11_25).get()
        #expect(resources["resources"]?.arrayValue?.first?.jsonString == #"{"uri":"mem://readme","name":"readme","mimeType":"text/markdown","size":4}"#)
        let templates = try await server.call("resources/templates/list", version: .v2025_11_25).get()
        #expect(templates["resourceTemplates"] == [["uriTemplate": "mem://users/{id}/files/{+path}", "name": "files"], ["uriTemplate": "mem://users/{id}", "name": "users"]])
    }
}
