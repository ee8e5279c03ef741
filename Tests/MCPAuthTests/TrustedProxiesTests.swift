import MCPAuth
import NIOCore
import Testing

@Suite struct TrustedProxiesTests {
    static let loopback = ["127.0.0.1", "::1"]

    static let cases: [(trusted: [String], peer: String, contained: Bool)] = [
        (loopback, "127.0.0.1", true),
        (loopback, "::ffff:127.0.0.1", true),
        (loopback, "::1", true),
        (loopback, "0:0:0:0:0:0:0:1", true),
        (loopback, "0000:0000:0000:0000:0000:0000:0000:0001", true),
        (loopback, "10.0.0.1", false),
        (loopback, "127.0.0.2", false),
        (loopback, "::2", false),
        (loopback, "::ffff:10.0.0.1", false),
        // The IPv4-mapped form is folded on both sides.
        (["::ffff:10.0.0.1"], "10.0.0.1", true),
        (["10.0.0.1"], "::ffff:10.0.0.1", true),
        (["0:0:0:0:0:0:0:1"], "::1", true),
        (["FD00::2"], "fd00:0:0:0:0:0:0:2", true),
        // Entries that are not IP literals are ignored, and do not spoil the others.
        (["localhost", "10.0.0.0/8", "", " 127.0.0.1", "127.0.0.1"], "127.0.0.1", true),
        (["localhost", "10.0.0.0/8", ""], "10.0.0.5", false),
        (["localhost"], "127.0.0.1", false),
        ([], "127.0.0.1", false),
    ]

    @Test("peers are compared as addresses, not as text", arguments: cases)
    func peersAreComparedAsAddresses(_ trusted: [String], _ peer: String, _ contained: Bool) throws {
        #expect(TrustedProxies(trusted).contains(try SocketAddress(ipAddress: peer, port: 443)) == contained)
    }

    @Test func aMissingOrNonIPPeerIsNeverTrusted() throws {
        let proxies = TrustedProxies(Self.loopback)
        #expect(!proxies.contains(nil))
        #expect(!proxies.contains(try SocketAddress(unixDomainSocketPath: "/tmp/portico-test.sock")))
    }

    @Test func thePortDoesNotMatter() throws {
        let proxies = TrustedProxies(Self.loopback)
        for port in [0, 80, 65_535] {
            #expect(proxies.contains(try SocketAddress(ipAddress: "127.0.0.1", port: port)))
        }
    }
}
