/// One TLS handshake with the edge: which application protocol ALPN chose, and the
/// certificates nginx sent, in the order it sent them (leaf first).
struct TLSHandshake: Sendable {
    var negotiatedProtocol: String?
    /// DER of every certificate the server presented.
    var chain: [[UInt8]]
}
