import Synchronization

/// Where the TLS probe's verification callback (on the event loop) leaves the chain the
/// server presented, for the caller to read once the handshake is done.
final class PresentedChain: Sendable {
    private let chain = Mutex<[[UInt8]]>([])
    func store(_ value: [[UInt8]]) { chain.withLock { $0 = value } }
    func load() -> [[UInt8]] { chain.withLock { $0 } }
}
