import Logging
import NIOCore
import Synchronization

/// Runs cancellation callbacks when a client connection closes.
///
/// One `closeFuture` callback is registered per connection, not per request, so a
/// keep-alive connection serving a million requests holds no growing callback list;
/// requests add and remove their handler in O(1) under one lock.
final class ConnectionCloseMonitor: Sendable {
    private struct Connection {
        var handlers: [UInt64: @Sendable () -> Void] = [:]
    }

    private struct State {
        var connections: [ObjectIdentifier: Connection] = [:]
        var nextToken: UInt64 = 0
    }

    private let state = Mutex(State())

    struct Registration: Sendable {
        fileprivate let connection: ObjectIdentifier
        fileprivate let token: UInt64
    }

    /// Calls `onClose` if `channel` closes before ``remove(_:)``; calls it at once if already closed.
    func add(channel: any Channel, onClose: @escaping @Sendable () -> Void) -> Registration? {
        let key = ObjectIdentifier(channel)
        let (registration, isNew) = state.withLock { state -> (Registration, Bool) in
            state.nextToken += 1
            let isNew = state.connections[key] == nil
            state.connections[key, default: Connection()].handlers[state.nextToken] = onClose
            return (Registration(connection: key, token: state.nextToken), isNew)
        }
        if isNew {
            channel.closeFuture.whenComplete { [self] _ in self.connectionClosed(key) }
        }
        if !channel.isActive {
            remove(registration)
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

    private func connectionClosed(_ key: ObjectIdentifier) {
        let handlers = state.withLock { $0.connections.removeValue(forKey: key)?.handlers.values.map { $0 } ?? [] }
        for handler in handlers { handler() }
    }
}
