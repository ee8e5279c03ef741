/// One `listen` directive, reduced to what a diagnosis needs: the port and the protocols.
public struct NginxListen: Sendable, Equatable {
    /// The address part (`127.0.0.1`, `[::1]`), `nil` for every interface.
    public var address: String?
    public var port: Int
    public var ssl: Bool
    /// `listen … http2` (before 1.25.1); `http2 on;` is a separate directive.
    public var http2: Bool
    public var quic: Bool

    /// Parses `listen` arguments; `nil` for unix sockets or forms without a port.
    public init?(_ args: [String]) {
        guard let first = args.first, !first.hasPrefix("unix:") else { return nil }
        let flags = Set(args.dropFirst())
        if let port = Int(first) {
            address = nil
            self.port = port
        } else if let colon = first.lastIndex(of: ":"), let port = Int(first[first.index(after: colon)...]) {
            let host = String(first[..<colon])
            address = host == "*" ? nil : host
            self.port = port
        } else {
            // `listen localhost;` means port 80.
            address = first
            port = 80
        }
        ssl = flags.contains("ssl")
        http2 = flags.contains("http2")
        quic = flags.contains("quic")
    }
}
