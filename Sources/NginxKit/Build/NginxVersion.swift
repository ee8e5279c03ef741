/// An nginx release number, ordered, for version-gated rendering.
public struct NginxVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(_ major: Int, _ minor: Int, _ patch: Int) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// `"1.22.1"`; `nil` for anything else.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".").map { Int($0) }
        guard parts.count == 3, let major = parts[0], let minor = parts[1], let patch = parts[2] else { return nil }
        self.init(major, minor, patch)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }

    public var description: String { "\(major).\(minor).\(patch)" }

    /// `http2 on;` replaces `listen … http2` (CHANGES 1.25.1).
    public static let http2Directive = NginxVersion(1, 25, 1)
    /// `ngx_http_v3_module`, `listen … quic` (CHANGES 1.25.0).
    public static let http3 = NginxVersion(1, 25, 0)
    /// Oldest release the renderer targets: `ssl_reject_handshake`, `ssl_ocsp` (1.19.x) and
    /// `keepalive_time` (1.19.10) are all older than it.
    public static let oldestSupported = NginxVersion(1, 18, 0)
    /// `keepalive_time` for upstreams and clients (CHANGES 1.19.10).
    public static let keepaliveTime = NginxVersion(1, 19, 10)
    /// `ssl_ocsp` for client certificates (CHANGES 1.19.0).
    public static let clientOCSP = NginxVersion(1, 19, 0)
}
