import Foundation

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
}
