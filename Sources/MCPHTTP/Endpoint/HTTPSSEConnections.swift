import MCPCore
import Synchronization

/// The open connections of the deprecated 2024-11-05 HTTP+SSE transport.
///
/// In that transport the client first opens `GET /sse` and learns from the `endpoint`
/// event where to POST; every answer travels back on that one stream. A connection
/// exists before its MCP session (which `initialize` creates), so it is tracked here by
/// the id in its endpoint URL, and ends with its stream.
public final class HTTPSSEConnections: Sendable {
    final class Connection: Sendable {
        let id: String
        /// The principal that opened the stream; only it may POST to this connection.
        let owner: String?
        /// Everything the server sends this client: answers, notifications, its requests.
        let outbound = MessageStream(capacity: 256)
        private let mcpSession = Mutex<Session?>(nil)

        init(id: String, owner: String?) {
            self.id = id
            self.owner = owner
        }

        var session: Session? { mcpSession.withLock { $0 } }

        /// Binds the session `initialize` created; `false` if one is already bound.
        func bind(_ session: Session) -> Bool {
            mcpSession.withLock { current in
                guard current == nil else { return false }
                current = session
                return true
            }
        }
    }

    public let maximumConnections: Int
    private let connections = Mutex<[String: Connection]>([:])

    public init(maximumConnections: Int = 10_000) {
        self.maximumConnections = maximumConnections
    }

    public var count: Int { connections.withLock { $0.count } }

    func open(owner: String?) -> Connection? {
        let connection = Connection(id: SessionStore.makeID(), owner: owner)
        let added = connections.withLock { connections -> Bool in
            guard connections.count < maximumConnections else { return false }
            connections[connection.id] = connection
            return true
        }
        return added ? connection : nil
    }

    func connection(id: String) -> Connection? { connections.withLock { $0[id] } }

    func remove(_ connection: Connection) {
        _ = connections.withLock { $0.removeValue(forKey: connection.id) }
    }

    /// Graceful shutdown: ends every stream (the transport has no way to say more).
    public func closeAll() {
        for connection in connections.withLock({ Array($0.values) }) {
            connection.outbound.abandon()
        }
    }
}
