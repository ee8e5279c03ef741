import Foundation

/// Syntax checks for the network-facing strings in `server:`.
///
/// Each returns a human-readable problem or `nil`; they check shape only (no DNS), because a config must be
/// checkable offline and the server re-validates what it actually receives at request time.
enum NetworkSyntax {
    /// The listen host: a name, an IPv4 address, or an IPv6 address (bracketed or not).
    static func listenHostProblem(_ host: String) -> String? {
        if host.contains("://") || host.contains("/") {
            return "'\(host)' is not a host; give a bare name or address such as 127.0.0.1, 0.0.0.0 or ::1"
        }
        let unbracketed = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if isIPv6Literal(unbracketed) {
            return nil
        }
        return hostNameProblem(Substring(host))
    }

    /// A browser origin as sent in the `Origin` header, or `*`.
    static func originProblem(_ origin: String) -> String? {
        if origin == "*" { return nil }
        let example = "expected scheme://host[:port] such as https://app.example.com, or \"*\""
        guard let separator = origin.range(of: "://") else {
            return "'\(origin)' is not an origin; \(example)"
        }
        let scheme = origin[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            return "'\(origin)' must use http or https; \(example)"
        }
        let rest = origin[separator.upperBound...]
        if let cut = rest.firstIndex(where: { "/?#".contains($0) }) {
            // Browsers never send a path, so an entry with one could never match.
            return "'\(origin)' must not have a path, query or fragment; write '\(scheme)://\(rest[..<cut])'"
        }
        if rest.contains("@") {
            return "'\(origin)' must not contain user info; \(example)"
        }
        return authorityProblem(rest, in: origin)
    }

    /// An allowed `Host` header value: `host`, `host:port` or `*`.
    static func hostPatternProblem(_ entry: String) -> String? {
        if entry == "*" { return nil }
        if let separator = entry.range(of: "://") {
            let rest = entry[separator.upperBound...]
            let authority = rest.prefix { !"/?#".contains($0) }
            return "'\(entry)' is a URL; allowed_hosts takes host or host:port, such as '\(authority)'"
        }
        if entry.contains(where: { "/?#@".contains($0) }) {
            return "'\(entry)' is not a host; expected host or host:port such as mcp.example.com:443, or \"*\""
        }
        return authorityProblem(Substring(entry), in: entry)
    }

    /// The externally visible endpoint URL.
    static func publicURLProblem(_ url: String) -> String? {
        let expected = "expected an absolute http(s) URL such as https://mcp.example.com/mcp"
        guard let components = URLComponents(string: url),
              let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty
        else {
            return "'\(url)' is not usable; \(expected)"
        }
        if components.query != nil {
            return "'\(url)' must not have a query; clients add their own parameters"
        }
        if components.fragment != nil {
            return "'\(url)' must not have a fragment"
        }
        if components.user != nil || components.password != nil {
            return "'\(url)' must not contain credentials"
        }
        return nil
    }

    /// The endpoint's URL path, which routes must match exactly.
    static func endpointPathProblem(_ path: String) -> String? {
        guard path.hasPrefix("/") else {
            return "'\(path)' must start with '/'; write '/\(path)'"
        }
        if path.contains("?") || path.contains("#") {
            return "'\(path)' must not have a query or fragment"
        }
        if path.contains(where: \.isWhitespace) {
            return "'\(path)' must not contain spaces"
        }
        if path.contains("//") {
            return "'\(path)' must not contain empty segments ('//')"
        }
        if path.count > 1, path.hasSuffix("/") {
            return "'\(path)' must not end with '/'; write '\(path.dropLast())'"
        }
        return nil
    }

    /// `host[:port]`, with IPv6 hosts in brackets as they appear in URLs and `Host` headers.
    private static func authorityProblem(_ authority: Substring, in entry: String) -> String? {
        let host: Substring
        let port: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                return "'\(entry)' has an unclosed '[' in its IPv6 address"
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let tail = authority[authority.index(after: close)...]
            guard tail.isEmpty || tail.hasPrefix(":") else {
                return "'\(entry)' has unexpected text after its IPv6 address"
            }
            port = tail.isEmpty ? nil : tail.dropFirst()
            guard isIPv6Literal(String(host)) else {
                return "'\(entry)' has an invalid IPv6 address"
            }
        } else {
            let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else {
                return "'\(entry)' has too many ':'; put IPv6 addresses in brackets, such as [::1]:8080"
            }
            host = parts[0]
            port = parts.count == 2 ? parts[1] : nil
            if let problem = hostNameProblem(host, in: entry) {
                return problem
            }
        }
        if let port, UInt16(port).map({ $0 > 0 }) != true {
            return "'\(entry)' has an invalid port '\(port)'; expected 1-65535"
        }
        return nil
    }

    private static func hostNameProblem(_ host: Substring, in entry: String? = nil) -> String? {
        let shown = entry ?? String(host)
        if host.isEmpty {
            return "'\(shown)' has no host name"
        }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._"))
        let valid = host.unicodeScalars.allSatisfy { $0.isASCII && allowed.contains($0) }
            && !host.hasPrefix(".") && !host.contains("..")
        return valid ? nil : "'\(shown)' is not a valid host name"
    }

    private static func isIPv6Literal(_ text: String) -> Bool {
        let allowed = CharacterSet(charactersIn: "0123456789abcdefABCDEF:.")
        return text.contains(":") && text.unicodeScalars.allSatisfy { allowed.contains($0) }
    }
}
