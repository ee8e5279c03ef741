/// The credential an `Authorization` header carries, read per RFC 6750 §2.1 (`Bearer` is
/// case-insensitive, the token is a token68) and RFC 9110 §11.6.2.
enum AuthorizationHeader: Equatable {
    /// No header: the client did not know authentication is needed.
    case absent
    /// Another scheme (Basic, Digest, …): treated like no credential, so the challenge carries no error code.
    case otherScheme
    /// `Bearer` with something that is not one token68.
    case malformed(String)
    case bearer(String)
    /// A bearer token too large to be real: refused as an invalid token without reading it.
    case oversized

    /// Tokens larger than this are refused without looking inside; real access tokens are a few KiB.
    static let maximumTokenBytes = 16 * 1024

    init(values: [String]) {
        guard let value = values.first else {
            self = .absent
            return
        }
        guard values.count == 1 else {
            self = .malformed("more than one Authorization header")
            return
        }
        let scheme = value.prefix { $0 != " " }
        guard scheme.lowercased() == "bearer" else {
            self = .otherScheme
            return
        }
        let token = value.dropFirst(scheme.count).drop { $0 == " " }
        guard !token.isEmpty else {
            self = .malformed("the Bearer credential has no token")
            return
        }
        guard token.utf8.count <= Self.maximumTokenBytes else {
            self = .oversized
            return
        }
        guard Self.isToken68(token) else {
            self = .malformed("the bearer token has characters outside token68 (RFC 6750 §2.1)")
            return
        }
        self = .bearer(String(token))
    }

    /// `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`. Checked on every request
    /// (the token is hashed for the cache after), so one table lookup per byte.
    static func isToken68(_ token: Substring) -> Bool {
        let allowed = tokenCharacters
        var bytes = token.utf8.makeIterator()
        while let byte = bytes.next() {
            guard allowed[Int(byte)] else {
                // Only padding may follow, and it may not be all there is.
                guard byte == UInt8(ascii: "="), token.first != "=" else { return false }
                while let rest = bytes.next() { guard rest == UInt8(ascii: "=") else { return false } }
                return true
            }
        }
        return true
    }

    private static let tokenCharacters: [Bool] = (0..<256).map { value in
        let byte = UInt8(value)
        return (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "-._~+/".utf8.contains(byte)
    }

    /// Whether a request target's query carries an access token (RFC 6750 §2.3), which MCP forbids.
    static func queryCarriesToken(_ target: String?) -> Bool {
        guard let target, let question = target.firstIndex(of: "?") else { return false }
        return target[target.index(after: question)...].split(separator: "&").contains { $0.hasPrefix("access_token=") || $0 == "access_token" }
    }
}
