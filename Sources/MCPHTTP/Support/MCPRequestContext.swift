import Logging
public import Hummingbird
public import NIOCore

/// The Hummingbird request context for MCP routes: the core storage plus the channel, so the
/// endpoint can notice a client that goes away while its request is still running.
public struct MCPRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel
    public var requestRecord: RequestRecord?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}

/// A request context that can tell which connection a request arrived on.
public protocol ChannelRequestContext: RequestContext {
    var channel: any Channel { get }
    /// Where the endpoint notes what the access log prints; `nil` when the log is off.
    var requestRecord: RequestRecord? { get set }
}

extension MCPRequestContext: ChannelRequestContext {}
