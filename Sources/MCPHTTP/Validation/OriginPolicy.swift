/// DNS-rebinding protection: which `Host` and `Origin` values may reach the endpoint.
///
/// The spec requires validating `Origin` (403 when present and not allowed, transports
/// §Security). A `Host` allow-list stops rebinding attacks on loopback servers even
/// when browsers send no Origin; it is on by default for loopback binds and configurable
/// for the public name that NGINX forwards.
public struct OriginPolicy: Sendable {
    /// Allowed `Host` values: `name`, `name:port`, or `*`. Empty means "loopback names only"
    /// when ``loopbackOnly`` is set and "any" otherwise.
    public var allowedHosts: [String]
    /// Allowed origins (`scheme://host[:port]`) or `*`. Empty allows loopback origins and
    /// origins naming the request's own host.
    public var allowedOrigins: [String]
    /// Set when the server listens on a loopback address only.
    public var loopbackOnly: Bool
    /// Origins allowed for CORS on top of the rules above; they never switch the defaults off.
    public var corsOrigins: [String]

    public init(allowedHosts: [String] = [], allowedOrigins: [String] = [], loopbackOnly: Bool = true, corsOrigins: [String] = []) {
        self.allowedHosts = allowedHosts.map { $0.lowercased() }
        self.allowedOrigins = allowedOrigins.map { $0.lowercased() }
        self.loopbackOnly = loopbackOnly
        self.corsOrigins = corsOrigins.map { $0.lowercased() }
    }

    static let loopbackNames: Set<String> = ["localhost", "127.0.0.1", "[::1]", "::1"]

    /// Splits `host[:port]`, keeping IPv6 brackets.
    static func hostName(_ authority: String) -> String {
        let lowered = authority.lowercased()
        if lowered.hasPrefix("[") {
            if let close = lowered.firstIndex(of: "]") { return String(lowered[...close]) }
            return lowered
        }
        if let colon = lowered.lastIndex(of: ":") { return String(lowered[..<colon]) }
        return lowered
    }

    static func isLoopback(_ host: String) -> Bool {
        let name = hostName(host)
        return loopbackNames.contains(name) || isIPv4Loopback(name)
    }

    /// `127.0.0.0/8` as a dotted-quad literal only: `127.0.0.1.evil.example` is a DNS name, not loopback.
    public static func isIPv4Loopback(_ name: String) -> Bool {
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { octet in
            !octet.isEmpty && octet.count <= 3 && octet.allSatisfy(\.isASCII) && octet.allSatisfy(\.isNumber) && (Int(octet) ?? 256) <= 255
        }
    }

    public func allowsHost(_ host: String?) -> Bool {
        guard let host, !host.isEmpty else { return allowedHosts.isEmpty && !loopbackOnly }
        let lowered = host.lowercased()
        if allowedHosts.isEmpty { return loopbackOnly ? Self.isLoopback(lowered) : true }
        if allowedHosts.contains("*") { return true }
        if allowedHosts.contains(lowered) || allowedHosts.contains(Self.hostName(lowered)) { return true }
        // A loopback listener keeps answering to loopback names when public ones are listed:
        // DNS rebinding needs the attacker's name in Host, and local probes (portico up's
        // verification, doctor, curl on the box) use 127.0.0.1 or localhost.
        return loopbackOnly && Self.isLoopback(lowered)
    }

    public func allowsOrigin(_ origin: String?, host: String?) -> Bool {
        guard let origin else { return true }
        let lowered = origin.lowercased()
        if allowedOrigins.contains("*") || allowedOrigins.contains(lowered) { return true }
        // "*" for CORS means "any real origin", never the opaque "null".
        if lowered != "null", corsOrigins.contains("*") || corsOrigins.contains(lowered) { return true }
        guard allowedOrigins.isEmpty else { return false }
        // "null" origins (sandboxed frames, file://) are never trusted.
        guard let schemeEnd = lowered.firstRange(of: "://") else { return false }
        let authority = String(lowered[schemeEnd.upperBound...].prefix { $0 != "/" })
        if Self.isLoopback(authority) { return true }
        guard let host else { return false }
        return Self.hostName(authority) == Self.hostName(host)
    }
}
