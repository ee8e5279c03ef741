import NIOCore
import NIOPosix
import NIOSSL

/// A handshake made by hand rather than through the HTTP client: the chain as presented (not
/// as a verifier rebuilt it) is only visible to a custom verification callback.
enum TLSProbe {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Connects to `127.0.0.1:port`, offers `h2` and `http/1.1`, sends `serverName` as SNI
    /// (not for IP literals, which SNI cannot carry) and accepts any certificate.
    static func handshake(port: Int, serverName: String?, timeout: TimeAmount = .seconds(5)) async throws(Failure) -> TLSHandshake {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.applicationProtocols = ["h2", "http/1.1"]
        // The callback replaces verification, so the chain is captured whatever it holds.
        configuration.certificateVerification = .noHostnameVerification
        let context: NIOSSLContext
        do { context = try NIOSSLContext(configuration: configuration) } catch {
            throw Failure(description: "could not set up TLS: \(error)")
        }
        let presented = PresentedChain()
        let group = MultiThreadedEventLoopGroup.singleton
        let done = group.next().makePromise(of: String?.self)
        let sni = serverName.flatMap { name in name.isEmpty || URLParts.isIPLiteral(name) ? nil : name }
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = try NIOSSLClientHandler(context: context, serverHostname: sni) { certificates, promise in
                        presented.store(certificates.compactMap { try? $0.toDERBytes() })
                        promise.succeed(.certificateVerified)
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                    try channel.pipeline.syncOperations.addHandler(HandshakeWatcher(done: done))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: "127.0.0.1", port: port).get()
        } catch {
            done.fail(error)
            throw Failure(description: "nothing accepts TLS on 127.0.0.1:\(port) (\(error))")
        }
        let timer = channel.eventLoop.scheduleTask(in: timeout) { done.fail(Failure(description: "no TLS handshake within \(timeout.nanoseconds / 1_000_000_000) s")) }
        defer {
            timer.cancel()
            channel.close(promise: nil)
        }
        do {
            let negotiated = try await done.futureResult.get()
            return TLSHandshake(negotiatedProtocol: negotiated, chain: presented.load())
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "\(error)")
        }
    }
}
