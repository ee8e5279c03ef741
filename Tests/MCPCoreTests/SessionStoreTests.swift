import MCPCore
import Testing

@Suite("SessionStore")
struct SessionStoreTests {
    func create(_ store: SessionStore) -> Session? {
        store.create(protocolVersion: .v2025_11_25, clientCapabilities: [:], clientInfo: nil)
    }

    /// A moment safely past every activity recorded so far, so a zero timeout always counts as exceeded.
    var later: ContinuousClock.Instant { .now + .seconds(1) }

    @Test("creation past maximumSessions returns nil until a session is removed")
    func capsSessions() throws {
        let store = SessionStore(limits: SessionStore.Limits(maximumSessions: 2))
        let first = try #require(create(store))
        #expect(create(store) != nil)
        #expect(create(store) == nil)
        #expect(store.count == 2)
        #expect(store.remove(id: first.id))
        #expect(create(store) != nil)
        #expect(store.count == 2)
    }

    @Test("remove closes the session and is false for an unknown id")
    func removes() throws {
        let store = SessionStore()
        let session = try #require(create(store))
        #expect(store.session(id: session.id) === session)
        #expect(store.remove(id: session.id))
        #expect(session.isClosed)
        #expect(store.session(id: session.id) == nil)
        #expect(!store.remove(id: session.id))
        #expect(!store.remove(id: "unknown"))
    }

    @Test("reapIdle with a zero timeout removes idle sessions but not one with a request in flight")
    func reapsIdle() throws {
        let store = SessionStore(limits: SessionStore.Limits(idleTimeout: .zero))
        let idle = try #require(create(store))
        let busy = try #require(create(store))
        #expect(busy.beginRequest(JSONRPCID(1)) {})
        #expect(store.reapIdle(now: later) == 1)
        #expect(store.session(id: idle.id) == nil)
        #expect(idle.isClosed)
        #expect(store.session(id: busy.id) === busy)
        #expect(!busy.isClosed)
        busy.endRequest(JSONRPCID(1))
        #expect(store.reapIdle(now: later) == 1)
        #expect(store.count == 0)
        #expect(busy.isClosed)
    }

    @Test("reapIdle keeps sessions within the idle timeout")
    func keepsActive() throws {
        let store = SessionStore(limits: SessionStore.Limits(idleTimeout: .seconds(60)))
        _ = try #require(create(store))
        #expect(store.reapIdle(now: .now + .seconds(30)) == 0)
        #expect(store.count == 1)
        #expect(store.reapIdle(now: .now + .seconds(61)) == 1)
    }

    @Test("reapIdle keeps a session whose GET stream is read, and reaps it once the reader leaves")
    func keepsOpenStandaloneStream() throws {
        let store = SessionStore(limits: SessionStore.Limits(idleTimeout: .zero))
        let session = try #require(create(store))
        let stream = try #require(session.standaloneStream(create: true))
        let attachment = try stream.attachAtEnd()
        #expect(throws: ReplayStream.ResumeRefusal.alreadyAttached) { try stream.attachAtEnd() }
        #expect(store.reapIdle(now: later) == 0)
        stream.detach(attachment)
        #expect(store.reapIdle(now: later) == 1)
    }

    @Test("removing a session cancels its requests in flight")
    func cancelsInFlight() throws {
        let store = SessionStore()
        let session = try #require(create(store))
        let cancelled = Recorder()
        #expect(session.beginRequest(.string("a")) { cancelled.append("a") })
        #expect(session.beginRequest(JSONRPCID(2)) { cancelled.append("2") })
        #expect(session.hasWorkInFlight)
        store.removeAll()
        #expect(cancelled.values.sorted() == ["2", "a"])
        #expect(store.count == 0)
    }

    @Test("a request id cannot be in flight twice; cancelRequest reaches only the named request")
    func tracksRequests() throws {
        let session = try #require(create(SessionStore()))
        let cancelled = Recorder()
        #expect(session.beginRequest(JSONRPCID(1)) { cancelled.append("1") })
        #expect(!session.beginRequest(JSONRPCID(1)) {})
        #expect(session.beginRequest(.string("1")) { cancelled.append("\"1\"") })
        session.cancelRequest(JSONRPCID(1))
        session.cancelRequest(JSONRPCID(99))
        #expect(cancelled.values == ["1"])
        session.endRequest(JSONRPCID(1))
        session.endRequest(.string("1"))
        #expect(!session.hasWorkInFlight)
        #expect(session.beginRequest(JSONRPCID(1)) {})
    }
}
