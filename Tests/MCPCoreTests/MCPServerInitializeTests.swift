import MCPCore
import Testing

@Suite("MCPServer initialize")
struct MCPServerInitializeTests {
    static let info = MCPServer.Info(
        name: "portico-test", version: "1.2.3", title: "Portico Test", description: "A test server", websiteURL: "https://example.invalid",
        instructions: "Be brief")

    @Test("initialize negotiates the version and opens a session in the store", arguments: [
        ("2025-03-26", ProtocolVersion.v2025_03_26, #"{"name":"portico-test","version":"1.2.3"}"#),
        ("2025-06-18", .v2025_06_18, #"{"name":"portico-test","version":"1.2.3","title":"Portico Test"}"#),
        (
            "2025-11-25", .v2025_11_25,
            #"{"name":"portico-test","version":"1.2.3","title":"Portico Test","description":"A test server","websiteUrl":"https://example.invalid"}"#
        ),
        (
            "2026-07-28", .v2025_11_25,
            #"{"name":"portico-test","version":"1.2.3","title":"Portico Test","description":"A test server","websiteUrl":"https://example.invalid"}"#
        ),
        (
            "2024-11-05", .v2025_11_25,
            #"{"name":"portico-test","version":"1.2.3","title":"Portico Test","description":"A test server","websiteUrl":"https://example.invalid"}"#
        ),
    ])
    func negotiates(_ requested: String, _ negotiated: ProtocolVersion, _ serverInfo: String) throws {
        let store = SessionStore()
        let server = makeServer(sessions: store, info: Self.info)
        let params = jsonObject(
            #"{"protocolVersion":"\#(requested)","capabilities":{"roots":{"listChanged":true}},"clientInfo":{"name":"client","version":"9"}}"#)
        let (session, result) = try server.initialize(makeRequest("initialize", params))
        #expect(result["protocolVersion"] == .string(negotiated.rawValue))
        #expect(result["serverInfo"] == json(serverInfo))
        #expect(result["instructions"] == "Be brief")
        #expect(session.protocolVersion == negotiated)
        #expect(session.clientCapabilities == ["roots": ["listChanged": true]])
        #expect(session.clientInfo == ["name": "client", "version": "9"])
        #expect(store.count == 1)
        #expect(store.session(id: session.id) === session)
    }

    @Test("each initialize opens a new session with its own id")
    func opensDistinctSessions() throws {
        let store = SessionStore()
        let server = makeServer(sessions: store)
        let request = makeRequest("initialize", ["protocolVersion": "2025-11-25"])
        let ids = try (0..<5).map { _ in try server.initialize(request).0.id }
        #expect(Set(ids).count == 5)
        #expect(store.count == 5)
        for id in ids {
            // 256 random bits as unpadded base64url.
            #expect(id.utf8.count == 43)
            #expect(Base64URL.decode(id)?.count == 32)
        }
    }

    @Test("a missing or non-string protocolVersion is -32602 and opens no session", arguments: ["{}", #"{"protocolVersion":20251125}"#])
    func refusesMissingVersion(_ params: String) {
        let store = SessionStore()
        let server = makeServer(sessions: store)
        let error = #expect(throws: MCPError.self) { try server.initialize(makeRequest("initialize", jsonObject(params))) }
        #expect(error?.code == .invalidParams)
        #expect(store.count == 0)
    }

    @Test("initialize past the session cap is refused with HTTP 503")
    func refusesPastCap() throws {
        let store = SessionStore(limits: SessionStore.Limits(maximumSessions: 1))
        let server = makeServer(sessions: store)
        let request = makeRequest("initialize", ["protocolVersion": "2025-11-25"])
        _ = try server.initialize(request)
        let error = #expect(throws: MCPError.self) { try server.initialize(request) }
        #expect(error?.httpStatus == 503)
        #expect(error?.code == .internalError)
        #expect(store.count == 1)
    }

    @Test("without instructions the result has none")
    func omitsInstructions() throws {
        let (_, result) = try makeServer().initialize(makeRequest("initialize", ["protocolVersion": "2025-11-25"]))
        #expect(result["instructions"] == nil)
        #expect(result["capabilities"] == ["logging": [:]])
    }
}
