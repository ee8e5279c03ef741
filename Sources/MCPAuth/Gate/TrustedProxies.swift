#if canImport(Glibc)
import Glibc
#endif
public import NIOCore

/// The addresses whose identity headers (client certificate, edge verdict) are believed.
///
/// Compared as bytes, so `::ffff:127.0.0.1` and `127.0.0.1` are one address and spelling
/// differences in IPv6 do not matter.
public struct TrustedProxies: Sendable {
    private let addresses: Set<[UInt8]>

    /// - Parameter addresses: IP literals; entries that are not are ignored (config validation reports them).
    public init(_ addresses: [String]) {
        self.addresses = Set(addresses.compactMap(Self.bytes))
    }

    public func contains(_ peer: SocketAddress?) -> Bool {
        guard let text = peer?.ipAddress, let bytes = Self.bytes(of: text) else { return false }
        return addresses.contains(bytes)
    }

    /// The address's bytes, IPv4-mapped IPv6 folded to IPv4.
    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return Array(bytes[12...]) }
        return bytes
    }
}
