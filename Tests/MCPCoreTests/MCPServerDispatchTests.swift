import MCPCore
import Testing

@Suite("MCPServer dispatch by era")
struct MCPServerDispatchTests {
    static let legacyOnly: [(method: String, params: String)] = [
        ("ping", "{}"),
        ("logging/setLevel", #"{"level":"debug"}"#),
        ("resources/subscribe", #"{"uri":"mem://r"}"#),
        ("resources/unsubscribe", #"{"uri":"mem://r"}"#),
    ]

    @Test("legacy-only methods are -32601 for 2026-07-28", arguments: legacyOnly)
    func refusesLegacyOnlyInModern(_ method: String, _ params: String) async {
        let error = await makeServer().call(method, jsonObject(params), version: .v2026_07_28).failureValue
        #expect(error?.code.rawValue == -32601)
        #expect(error?.message.contains(method) == true)
    }

    @Test("legacy-only methods answer an empty result for legacy versions", arguments: legacyOnly, ProtocolVersion.legacy)
    func answersLegacyOnlyInLegacy(_ entry: (method: String, params: String), _ version: ProtocolVersion) async throws {
        let result = try await makeServer().call(entry.method, jsonObject(entry.params), version: version).get()
        #expect(result.isEmpty)
    }

    @Test("server/discover is -32601 for a legacy version", arguments: ProtocolVersion.legacy)
    func refusesDiscoverInLegacy(_ version: ProtocolVersion) async {
        let error = await makeServer().call("server/discover", version: version).failureValue
        #expect(error?.code.rawValue == -32601)
    }

    @Test("unknown methods are -32601 in both eras", arguments: ["foo/bar", "initialize", "tools/List", "", "notifications/initialized"], ProtocolVersion.allCases)
    func refusesUnknown(_ method: String, _ version: ProtocolVersion) async {
        let error = await makeServer().call(method, version: version).failureValue
        #expect(error?.code == .methodNotFound)
        #expect(error?.message == "Method not found: \(method)")
    }

    @Test("logging/setLevel refuses an unknown level with -32602 listing the allowed ones", arguments: [#"{"level":"loud"}"#, "{}", #"{"level":3}"#])
    func refusesBadLevel(_ params: String) async {
        let error = await makeServer().call("logging/setLevel", jsonObject(params), version: .v2025_11_25).failureValue
        #expect(error?.code == .invalidParams)
        #expect(error?.message.contains("debug, info, notice, warning, error, critical, alert, emergency") == true)
    }

    @Test("subscribe needs a string uri", arguments: ["resources/subscribe", "resources/unsubscribe"])
    func refusesSubscribeWithoutURI(_ method: String) async {
        let error = await makeServer().call(method, ["uri": 5], version: .v2025_11_25).failureValue
        #expect(error?.code == .invalidParams)
    }

    @Test("logging/setLevel and subscriptions change the request's session")
    func changesSession() async throws {
        let server = makeServer()
        let (session, _) = try server.initialize(makeRequest("initialize", ["protocolVersion": "2025-11-25"]))
        #expect(session.logLevel == .info)
        let setLevel = makeRequest("logging/setLevel", ["level": "critical"])
        #expect(await server.handle(setLevel, context: .legacy(setLevel, session: session, logger: quietLogger)).successValue == [:])
        #expect(session.logLevel == .critical)
        let subscribe = makeRequest("resources/subscribe", ["uri": "mem://r"])
        _ = await server.handle(subscribe, context: .legacy(subscribe, session: session, logger: quietLogger))
        #expect(session.isSubscribed("mem://r"))
        let unsubscribe = makeRequest("resources/unsubscribe", ["uri": "mem://r"])
        _ = await server.handle(unsubscribe, context: .legacy(unsubscribe, session: session, logger: quietLogger))
        #expect(!session.isSubscribed("mem://r"))
    }
}
