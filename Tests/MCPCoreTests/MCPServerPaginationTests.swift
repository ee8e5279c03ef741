import MCPCore
import Testing

@Suite("MCPServer pagination")
struct MCPServerPaginationTests {
    /// One paginated list: its method, result key and how its entries are named.
    enum Listing: String, CaseIterable, Sendable {
        case tools, prompts, resources, templates

        var method: String {
            switch self {
            case .tools: "tools/list"
            case .prompts: "prompts/list"
            case .resources: "resources/list"
            case .templates: "resources/templates/list"
            }
        }

        var key: String {
            switch self {
            case .templates: "resourceTemplates"
            default: rawValue
            }
        }

        var identityKey: String {
            switch self {
            case .tools, .prompts: "name"
            case .resources: "uri"
            case .templates: "uriTemplate"
            }
        }

        /// Registers `count` entries and returns their identities in registration order.
        func register(_ count: Int, in registry: Registry) throws -> [String] {
            // Names that would sort differently from registration order.
            let names = (0..<count).map { "n\((count - $0) * 7 % 10)x\($0)" }
            for name in names {
                switch self {
                case .tools: try registry.register(makeTool(name))
                case .prompts: try registry.register(makePrompt(name))
                case .resources: try registry.register(Resource.text(uri: "mem://\(name)", name: name, name))
                case .templates: registry.register(ResourceTemplate(uriTemplate: "mem://\(name)/{id}", name: name) { _, _, _ in [] })
                }
            }
            return names.map { name in
                switch self {
                case .tools, .prompts: name
                case .resources: "mem://\(name)"
                case .templates: "mem://\(name)/{id}"
                }
            }
        }
    }

    /// Follows `nextCursor` until it is absent; returns the identities seen and the number of pages.
    func walk(_ server: MCPServer, _ listing: Listing, version: ProtocolVersion) async throws -> (identities: [String], pages: Int) {
        var identities: [String] = []
        var pages = 0
        var cursor: String?
        repeat {
            var params: JSONObject = [:]
            if let cursor { params["cursor"] = .string(cursor) }
            let result = try await server.call(listing.method, params, version: version).get()
            pages += 1
            let entries = try #require(result[listing.key]?.arrayValue)
            identities += entries.compactMap { $0[listing.identityKey]?.stringValue }
            cursor = result["nextCursor"]?.stringValue
            #expect(pages <= 20, "pagination does not end")
        } while cursor != nil && pages <= 20
        return (identities, pages)
    }

    @Test("pageSize 1 walks every entry in registration order, one page each", arguments: Listing.allCases, [ProtocolVersion.v2025_06_18, .v2026_07_28])
    func walksAllPages(_ listing: Listing, _ version: ProtocolVersion) async throws {
        let registry = Registry()
        let expected = try listing.register(5, in: registry)
        let server = makeServer(registry, options: MCPServer.Options(pageSize: 1))
        let walked = try await walk(server, listing, version: version)
        #expect(walked.identities == expected)
        #expect(walked.pages == 5)
    }

    @Test("a page size larger than the list gives one page without a cursor", arguments: Listing.allCases)
    func singlePage(_ listing: Listing) async throws {
        let registry = Registry()
        let expected = try listing.register(3, in: registry)
        let server = makeServer(registry, options: MCPServer.Options(pageSize: 3))
        let result = try await server.call(listing.method, version: .v2025_11_25).get()
        #expect(result["nextCursor"] == nil)
        #expect(result[listing.key]?.arrayValue?.compactMap { $0[listing.identityKey]?.stringValue } == expected)
    }

    @Test("an empty list is one empty page", arguments: Listing.allCases)
    func emptyList(_ listing: Listing) async throws {
        let result = try await makeServer().call(listing.method, version: .v2025_11_25).get()
        #expect(result[listing.key] == [])
        #expect(result["nextCursor"] == nil)
    }

    @Test("a tampered cursor is -32602", arguments: Listing.allCases)
    func refusesTamperedCursor(_ listing: Listing) async throws {
        let registry = Registry()
        _ = try listing.register(3, in: registry)
        let server = makeServer(registry, options: MCPServer.Options(pageSize: 1))
        let first = try await server.call(listing.method, version: .v2025_11_25).get()
        let cursor = try #require(first["nextCursor"]?.stringValue)
        let parts = cursor.split(separator: ".").map(String.init)
        let forgedPayload = Base64URL.encode(Array("\(listing.rawValue):2".utf8))
        for bad in [forgedPayload + "." + parts[1], cursor + "x", "x" + cursor, "", "not-a-cursor"] {
            let error = await server.call(listing.method, ["cursor": .string(bad)], version: .v2025_11_25).failureValue
            #expect(error?.code == .invalidParams, "cursor \(bad)")
        }
    }

    @Test("a cursor issued for another list or by another server is -32602")
    func refusesForeignCursor() async throws {
        let registry = Registry()
        _ = try Listing.tools.register(3, in: registry)
        _ = try Listing.prompts.register(3, in: registry)
        let server = makeServer(registry, options: MCPServer.Options(pageSize: 1))
        let other = makeServer(registry, options: MCPServer.Options(pageSize: 1))
        let toolsCursor = try #require(try await server.call("tools/list", version: .v2025_11_25).get()["nextCursor"])
        let otherCursor = try #require(try await other.call("tools/list", version: .v2025_11_25).get()["nextCursor"])
        #expect(await server.call("prompts/list", ["cursor": toolsCursor], version: .v2025_11_25).failureValue?.code == .invalidParams)
        #expect(await server.call("tools/list", ["cursor": otherCursor], version: .v2025_11_25).failureValue?.code == .invalidParams)
        #expect(await server.call("tools/list", ["cursor": toolsCursor], version: .v2025_11_25).successValue != nil)
    }

    @Test("a cursor that is not a string is -32602", arguments: [JSONValue(integerLiteral: 1), true, [:], ["a"]])
    func refusesNonStringCursor(_ cursor: JSONValue) async {
        let error = await makeServer().call("tools/list", ["cursor": cursor], version: .v2025_11_25).failureValue
        #expect(error?.code == .invalidParams)
        #expect(error?.message.contains("cursor") == true)
    }

    @Test("a null cursor is the first page")
    func nullCursor() async throws {
        let registry = Registry()
        let expected = try Listing.tools.register(2, in: registry)
        let result = try await makeServer(registry).call("tools/list", ["cursor": nil], version: .v2025_11_25).get()
        #expect(result["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == expected)
    }

    @Test("a cursor past the end of a list that shrank is -32602")
    func refusesCursorPastEnd() async throws {
        let registry = Registry()
        let names = try Listing.tools.register(4, in: registry)
        let server = makeServer(registry, options: MCPServer.Options(pageSize: 3))
        let cursor = try #require(try await server.call("tools/list", version: .v2025_11_25).get()["nextCursor"])
        for name in names.prefix(2) { registry.removeTool(named: name) }
        #expect(await server.call("tools/list", ["cursor": cursor], version: .v2025_11_25).failureValue?.code == .invalidParams)
    }
}
