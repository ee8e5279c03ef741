import MCPCore
import Testing

/// List results leave out what the calling principal may not use, when the policy says so.
@Suite("MCPServer lists filtered by AccessPolicy")
struct AccessFilteredListTests {
    static let policy = AccessPolicy(
        baseScopes: ["mcp"],
        toolScopes: ["deploy": ["ops"], "admin": ["admin"]],
        promptScopes: ["secret": ["prompts:secret"]],
        resourceScopes: ["files://private/": ["private"]])

    static func registry() throws -> Registry {
        let registry = Registry()
        for name in ["search", "deploy", "admin"] { try registry.register(makeTool(name)) }
        for name in ["summary", "secret"] { try registry.register(makePrompt(name)) }
        try registry.register(Resource.text(uri: "files://docs/a.md", name: "a", "a"))
        try registry.register(Resource.text(uri: "files://private/b.md", name: "b", "b"))
        try registry.register(Resource.text(uri: "mem://c", name: "c", "c"))
        registry.register(ResourceTemplate(uriTemplate: "files://private/{name}", name: "private") { uri, _, _ in [ResourceContents(uri: uri, text: "")] })
        registry.register(ResourceTemplate(uriTemplate: "files://docs/{name}", name: "docs") { uri, _, _ in [ResourceContents(uri: uri, text: "")] })
        return registry
    }

    static func server(_ policy: AccessPolicy = policy, pageSize: Int = 100) throws -> MCPServer {
        makeServer(try registry(), options: MCPServer.Options(pageSize: pageSize, access: policy))
    }

    static func context(_ version: ProtocolVersion, _ principal: Principal?) -> HandlerContext {
        HandlerContext(
            requestID: JSONRPCID(1), protocolVersion: version, clientCapabilities: [:], clientInfo: nil, progressToken: nil,
            requestLogLevel: nil, session: nil, stream: nil, principal: principal, logger: quietLogger)
    }

    /// The names (or URIs) a list result holds.
    static func names(_ result: JSONObject, _ key: String) -> [String] {
        let field = key == "resources" ? "uri" : key == "resourceTemplates" ? "uriTemplate" : "name"
        return result[key]?.arrayValue?.compactMap { $0[field]?.stringValue } ?? []
    }

    struct Visibility: Sendable, CustomTestStringConvertible {
        var who: String
        var principal: Principal?
        var tools: [String]
        var prompts: [String]
        var resources: [String]
        var templates: [String]
        var testDescription: String { who }
    }

    static let everything = Visibility(
        who: "", principal: nil, tools: ["search", "deploy", "admin"], prompts: ["summary", "secret"],
        resources: ["files://docs/a.md", "files://private/b.md", "mem://c"], templates: ["files://private/{name}", "files://docs/{name}"])

    static let visibility: [Visibility] = [
        Visibility(
            who: "a reader (mcp) sees only what needs no more", principal: Principal(id: "reader", scopes: ["mcp"]),
            tools: ["search"], prompts: ["summary"], resources: ["files://docs/a.md", "mem://c"], templates: ["files://docs/{name}"]),
        Visibility(
            who: "an operator (mcp ops) also sees deploy", principal: Principal(id: "ops", scopes: ["mcp", "ops"]),
            tools: ["search", "deploy"], prompts: ["summary"], resources: ["files://docs/a.md", "mem://c"], templates: ["files://docs/{name}"]),
        Visibility(
            who: "a principal with every scope sees everything",
            principal: Principal(id: "root", scopes: ["mcp", "ops", "admin", "prompts:secret", "private"]),
            tools: everything.tools, prompts: everything.prompts, resources: everything.resources, templates: everything.templates),
        Visibility(
            who: "a principal without the base scope sees nothing", principal: Principal(id: "none", scopes: ["ops", "admin"]),
            tools: [], prompts: [], resources: [], templates: []),
        Visibility(
            who: "no principal (authentication off) sees everything", principal: nil,
            tools: everything.tools, prompts: everything.prompts, resources: everything.resources, templates: everything.templates),
    ]

    @Test("lists hide what the principal may not use", arguments: visibility, [ProtocolVersion.v2025_11_25, .v2026_07_28])
    func listsHideWhatThePrincipalMayNotUse(_ expected: Visibility, _ version: ProtocolVersion) async throws {
        let server = try Self.server()
        let context = Self.context(version, expected.principal)
        for (method, key, names) in [
            ("tools/list", "tools", expected.tools), ("prompts/list", "prompts", expected.prompts),
            ("resources/list", "resources", expected.resources), ("resources/templates/list", "resourceTemplates", expected.templates),
        ] {
            let result = try await server.handle(makeRequest(method), context: context).get()
            #expect(Self.names(result, key) == names, "\(method)")
        }
    }

    @Test("with hide_forbidden off every principal sees everything", arguments: visibility)
    func hideForbiddenOffShowsEverything(_ expected: Visibility) async throws {
        var policy = Self.policy
        policy.hidesForbidden = false
        let server = try Self.server(policy)
        let context = Self.context(.v2026_07_28, expected.principal)
        let tools = try await server.handle(makeRequest("tools/list"), context: context).get()
        #expect(Self.names(tools, "tools") == Self.everything.tools)
        let resources = try await server.handle(makeRequest("resources/list"), context: context).get()
        #expect(Self.names(resources, "resources") == Self.everything.resources)
        #expect(tools["cacheScope"] == "public")
    }

    static let cacheScopes: [(case: String, policy: AccessPolicy, principal: Principal?, scope: JSONValue)] = [
        ("filtered for a principal", policy, Principal(id: "reader", scopes: ["mcp"]), "private"),
        ("filtered, even when nothing happens to be hidden", policy, Principal(id: "root", scopes: ["mcp", "ops", "admin", "prompts:secret", "private"]), "private"),
        ("no principal", policy, nil, "public"),
        ("hide_forbidden off", AccessPolicy(baseScopes: ["mcp"], toolScopes: ["deploy": ["ops"]], hidesForbidden: false), Principal(id: "reader", scopes: ["mcp"]), "public"),
        ("uniform policy (base scopes only)", AccessPolicy(baseScopes: ["mcp"]), Principal(id: "reader", scopes: ["mcp"]), "public"),
        ("open policy", .open, Principal(id: "reader", scopes: ["mcp"]), "public"),
    ]

    @Test("modern list results are cacheScope private exactly when they are filtered per principal", arguments: cacheScopes)
    func filteredModernListsArePrivate(_ name: String, _ policy: AccessPolicy, _ principal: Principal?, _ scope: JSONValue) async throws {
        let server = try Self.server(policy)
        for method in ["tools/list", "prompts/list", "resources/list", "resources/templates/list"] {
            let result = try await server.handle(makeRequest(method), context: Self.context(.v2026_07_28, principal)).get()
            #expect(result["cacheScope"] == scope, "\(method)")
        }
    }

    @Test("legacy list results are filtered too, and carry no cacheScope")
    func legacyListsAreFilteredWithoutCacheFields() async throws {
        let result = try await Self.server().handle(
            makeRequest("tools/list"), context: Self.context(.v2025_06_18, Principal(id: "reader", scopes: ["mcp"]))
        ).get()
        #expect(Self.names(result, "tools") == ["search"])
        #expect(result["cacheScope"] == nil)
    }

    @Test("pages of a filtered list hold only what the principal may see")
    func paginationWalksTheFilteredList() async throws {
        let registry = Registry()
        for name in ["a", "hidden1", "b", "hidden2", "c"] { try registry.register(makeTool(name)) }
        let policy = AccessPolicy(baseScopes: ["mcp"], toolScopes: ["hidden1": ["x"], "hidden2": ["x"]])
        let server = makeServer(registry, options: MCPServer.Options(pageSize: 1, access: policy))
        let context = Self.context(.v2026_07_28, Principal(id: "reader", scopes: ["mcp"]))
        var seen: [String] = []
        var cursor: JSONValue?
        for _ in 0..<10 {
            let params: JSONObject = cursor.map { ["cursor": $0] } ?? [:]
            let result = try await server.handle(makeRequest("tools/list", params), context: context).get()
            seen += Self.names(result, "tools")
            cursor = result["nextCursor"]
            if cursor == nil { break }
        }
        #expect(seen == ["a", "b", "c"])
    }
}
