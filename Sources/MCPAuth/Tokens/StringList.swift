/// A claim that may be one string or an array of strings: `aud` (RFC 7519 §4.1.3,
/// RFC 7662 §2.2) and `scp`.
struct StringList: Decodable, Sendable {
    let values: [String]

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let single = try? container.decode(String.self) {
            values = [single]
        } else {
            values = try container.decode([String].self)
        }
    }
}

extension String {
    /// RFC 6749 §3.3: scopes are space-delimited.
    var scopeSet: Set<String> {
        Set(split(separator: " ", omittingEmptySubsequences: true).map(String.init))
    }
}
