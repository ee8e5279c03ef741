import NIOCore
import NIOTLS

/// Completes `done` with the ALPN result once the TLS probe's handshake finishes, or with its error.
final class HandshakeWatcher: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let done: EventLoopPromise<String?>

    init(done: EventLoopPromise<String?>) {
        self.done = done
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted(let negotiated) = event {
            done.succeed(negotiated)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        done.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.fail(TLSProbe.Failure(description: "the server closed the connection during the TLS handshake"))
        context.fireChannelInactive()
    }
}
