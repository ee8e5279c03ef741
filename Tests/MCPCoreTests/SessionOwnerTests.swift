import MCPCore
import Testing

/// A session answers only to the principal that opened it; to anyone else its id does not exist.
@Suite("Sessions bound to their principal")
struct SessionOwnerTests {
    static let alice = Principal(id: "a", scopes: ["mcp"])
    static let bob = Principal(id: "b", scopes: ["mcp"])

    func create(_ store: SessionStore, owner: String?) throws -> Session {
        try #require(store.create(protocolVersion: .v2025_11_25, clientCapabilities: [:], clientInfo: nil, owner: owner))
    }

    static let lookups: [(who: String, principal: Principal?, found: Bool)] = [
        ("the owner", alice, true),
        ("the owner holding other scopes", Principal(id: "a", scopes: []), true),
        ("another principal", bob, false),
        ("an id differing only in case", Principal(id: "A", scopes: ["mcp"]), false),
        ("no principal", nil, false),
    ]

    @Test("a session opened by 'a' is found only for 'a'", arguments: lookups)
    func onlyTheOwnerFindsTheSession(_ who: String, _ principal: Principal?, _ found: Bool) throws {
        let store = SessionStore()
        let session = try create(store, owner: "a")
        #expect((store.session(id: session.id, for: principal) === session) == found)
        #expect((store.session(id: session.id, for: principal) == nil) == !found)
    }

    @Test("a session opened without authentication is not found for any principal")
    func anonymousSessionsStayAnonymous() throws {
        let store = SessionStore()
        let session = try create(store, owner: nil)
        #expect(store.session(id: session.id, for: nil) === session)
        #expect(store.session(id: session.id, for: Self.alice) == nil)
        #expect(!store.remove(id: session.id, for: Self.alice))
        #expect(store.session(id: session.id, for: nil) === session)
    }

    @Test(arguments: [bob, nil] as [Principal?])
    func someoneElseCannotDeleteTheSession(_ intruder: Principal?) throws {
        let store = SessionStore()
        let session = try create(store, owner: "a")
        #expect(!store.remove(id: session.id, for: intruder))
        #expect(!session.isClosed)
        #expect(store.count == 1)
        #expect(store.session(id: session.id, for: Self.alice) === session)
        #expect(store.remove(id: session.id, for: Self.alice))
        #expect(session.isClosed)
        #expect(store.session(id: session.id, for: Self.alice) == nil)
        #expect(!store.remove(id: session.id, for: Self.alice))
    }

    @Test("initialize binds the new session to the principal that sent it")
    func initializeRecordsTheOwner() throws {
        let server = makeServer()
        let request = makeRequest("initialize", ["protocolVersion": "2025-11-25", "capabilities": [:]])
        let (session, _) = try server.initialize(request, principal: Self.alice)
        #expect(server.sessions.session(id: session.id, for: Self.alice) === session)
        #expect(server.sessions.session(id: session.id, for: Self.bob) == nil)
        #expect(server.sessions.session(id: session.id, for: nil) == nil)
    }
}
