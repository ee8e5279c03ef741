public import NIOCore
import Synchronization

/// Tells requests when their client connection stops sending: the peer closed its side or
/// the connection went away.
///
/// Hummingbird allows remote half-closure, so a client that closes its socket does not
/// complete the channel's `closeFuture` while a response is still being written. A small
/// channel handler (``makeChannelHandler()``, installed once per connection) reports
/// `inputClosed` and `channelInactive` instead; requests add and remove their callback in
/// O(1), and no per-request state outlives its request.
public final class ConnectionCloseMonitor: Sendable {
    private struct Connection {
        var handlers: [UInt64: @Sendable () -> Void] = [:]
        var closed = false
    }

    private struct State {
        var connections: [ObjectIdentifier: Connection] = [:]
        var nextToken: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    struct Registration: Sendable {
        fileprivate let connection: ObjectIdentifier
        fileprivate let token: UInt64
    }

    /// The handler to add to every HTTP/1 connection's pipeline (`HTTP1Channel` additional handlers).
    public func makeChannelHandler() -> any RemovableChannelHandler {
        InboundCloseHandler(monitor: self)
    }

    /// Calls `onClose` when `channel` stops sending before ``remove(_:)``; at once if it already has.
    func add(channel: any Channel, onClose: @escaping @Sendable () -> Void) -> Registration? {
        let key = ObjectIdentifier(channel)
        let registration: Registration? = state.withLock { state in
            if state.connections[key]?.closed == true { return nil }
            state.nextToken += 1
            state.connections[key, default: Connection()].handlers[state.nextToken] = onClose
            return Registration(connection: key, token: state.nextToken)
        }
        if registration == nil || !channel.isActive {
            // The connection ended before (or while) this request registered: drop its entry
            // too, since `channelInactive` may already have run and would not remove it again.
            state.withLock { state in
                if let registration { state.connections[key]?.handlers[registration.token] = nil }
                if state.connections[key]?.handlers.isEmpty == true, !channel.isActive { state.connections[key] = nil }
            }
            onClose()
            return nil
        }
        return registration
    }

    func remove(_ registration: Registration?) {
        guard let registration else { return }
        state.withLock { state in
            _ = state.connections[registration.connection]?.handlers.removeValue(forKey: registration.token)
        }
    }

    fileprivate func inputClosed(_ key: ObjectIdentifier) {
        let handlers = state.withLock { state -> [@Sendable () -> Void] in
            var connection = state.connections[key] ?? Connection()
            let handlers = Array(connection.handlers.values)
            connection.handlers.removeAll()
            connection.closed = true
            state.connections[key] = connection
            return handlers
        }
        for handler in handlers { handler() }
    }

    fileprivate func connectionEnded(_ key: ObjectIdentifier) {
        inputClosed(key)
        _ = state.withLock { $0.connections.removeValue(forKey: key) }
    }
}

/// Reports a connection's input closing to the ``ConnectionCloseMonitor``; passes everything on.
final class InboundCloseHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Any

    private let monitor: ConnectionCloseMonitor

    init(monitor: ConnectionCloseMonitor) { self.monitor = monitor }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed? = event as? ChannelEvent {
            monitor.inputClosed(ObjectIdentifier(context.channel))
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        monitor.connectionEnded(ObjectIdentifier(context.channel))
        context.fireChannelInactive()
    }
}

@available(*, unavailable)
extension InboundCloseHandler: Sendable {}
