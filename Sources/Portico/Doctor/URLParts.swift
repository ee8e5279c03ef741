import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pieces of an absolute URL the probes need; lenient, since the URL was validated at load.
struct URLParts {
    var scheme: String
    var host: String
    var authority: String
    var port: Int

    init(_ url: String) {
        let schemeEnd = url.range(of: "://")
        scheme = schemeEnd.map { String(url[..<$0.lowerBound]).lowercased() } ?? "https"
        let rest = schemeEnd.map { url[$0.upperBound...] } ?? Substring(url)
        authority = String(rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" })
        let defaultPort = scheme == "https" ? 443 : 80
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[authority.index(after: authority.startIndex)..<close]).lowercased()
            let after = authority[authority.index(after: close)...]
            port = after.hasPrefix(":") ? Int(after.dropFirst()) ?? defaultPort : defaultPort
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon]).lowercased()
            port = Int(authority[authority.index(after: colon)...]) ?? defaultPort
        } else {
            host = authority.lowercased()
            port = defaultPort
        }
    }

    /// The bytes of `host` when it is an IPv4 or IPv6 literal (brackets and a `%zone` allowed),
    /// `nil` for a name: 4 bytes for IPv4, 16 for IPv6, as a certificate's iPAddress holds them.
    static func addressBytes(_ host: String) -> [UInt8]? {
        var text = host
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if let zone = text.firstIndex(of: "%") { text = String(text[..<zone]) }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    /// Whether `host` is an IP literal rather than a name (SNI cannot carry one; an HTTP probe
    /// dials 127.0.0.1 instead).
    static func isIPLiteral(_ host: String) -> Bool {
        addressBytes(host) != nil
    }
}
