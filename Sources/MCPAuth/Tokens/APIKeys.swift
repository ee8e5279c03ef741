import Crypto
import Logging
import MCPCore

/// A static API key, for clients that cannot do OAuth. The configuration holds only a
/// salted SHA-256 of the key, `sha256:<salt, 32 hex>:<SHA-256(salt || key), 64 hex>`, so a
/// leaked configuration file does not leak keys. A fast hash is enough because keys from
/// ``newKey()`` carry 256 random bits: there is nothing to brute-force, unlike passwords.
/// Presented as `Authorization: Bearer <key>` (RFC 6750 §2.1).
public struct APIKeyEntry: Sendable {
    /// Becomes the principal id `key:<name>`.
    public var name: String
    public var hash: String
    public var scopes: Set<String>

    public init(name: String, hash: String, scopes: Set<String>) {
        self.name = name
        self.hash = hash
        self.scopes = scopes
    }

    /// The value for ``hash``. A fresh random 16-byte salt unless one is given (for tests).
    public static func makeHash(of key: String, salt: [UInt8]? = nil) -> String {
        let salt = salt ?? randomBytes(16)
        return "sha256:\(hex(salt)):\(hex(digest(of: key, salt: salt)))"
    }

    /// A new key: `pk_` and 32 random bytes in unpadded base64url. The prefix lets people
    /// and secret scanners recognise it, and lets the verifier refuse a mistyped key
    /// without sending it to an introspection endpoint.
    public static func newKey() -> String {
        "pk_" + Base64URL.encode(randomBytes(32))
    }

    /// What is wrong with a hash string, or `nil` when it is well formed.
    public static func validate(hash: String) -> String? {
        switch parse(hash) {
        case .success: nil
        case .failure(let problem): problem.text
        }
    }

    struct Parsed: Sendable {
        let salt: [UInt8]
        let digest: [UInt8]
    }

    struct Problem: Error {
        let text: String
    }

    static func parse(_ hash: String) -> Result<Parsed, Problem> {
        let expected = "expected sha256:<32 hex digits of salt>:<64 hex digits of digest>"
        let parts = hash.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            return .failure(Problem(text: "the API key hash has \(parts.count) colon-separated parts, \(expected)"))
        }
        guard parts[0] == "sha256" else {
            return .failure(Problem(text: "the API key hash must start with sha256:, \(expected)"))
        }
        guard parts[1].count == 32, let salt = bytes(fromHex: parts[1]) else {
            return .failure(Problem(text: "the API key hash salt must be 32 hex digits, \(expected)"))
        }
        guard parts[2].count == 64, let digest = bytes(fromHex: parts[2]) else {
            return .failure(Problem(text: "the API key hash digest must be 64 hex digits, \(expected)"))
        }
        return .success(Parsed(salt: salt, digest: digest))
    }

    static func digest(of key: String, salt: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: salt)
        hasher.update(data: Array(key.utf8))
        return Array(hasher.finalize())
    }

    private static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in generator.next() }
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".unicodeScalars)
        var text = String.UnicodeScalarView()
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(text)
    }

    private static func bytes(fromHex text: Substring) -> [UInt8]? {
        var bytes: [UInt8] = []
        var high: UInt8?
        for character in text.utf8 {
            let value: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = character - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let first = high {
                bytes.append(first << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return high == nil ? bytes : nil
    }
}

/// The configured API keys, parsed once.
struct APIKeySet: Sendable {
    private let entries: [(name: String, scopes: Set<String>, parsed: APIKeyEntry.Parsed)]

    /// Entries with a malformed hash can never match; configuration checking is expected
    /// to have refused them already with ``APIKeyEntry/validate(hash:)``.
    init(_ entries: [APIKeyEntry], logger: Logger) {
        self.entries = entries.compactMap { entry in
            switch APIKeyEntry.parse(entry.hash) {
            case .success(let parsed):
                return (entry.name, entry.scopes, parsed)
            case .failure(let problem):
                logger.error("API key ignored", metadata: ["name": "\(entry.name)", "problem": "\(problem.text)"])
                return nil
            }
        }
    }

    var isEmpty: Bool { entries.isEmpty }

    /// Every entry is hashed and compared in full, whether or not an earlier one matched,
    /// so the time taken says nothing about which key, or how much of one, was right.
    /// Should two entries hold the same key, the first one listed wins.
    func match(_ key: String) -> Principal? {
        var found: Principal?
        for entry in entries {
            let candidate = APIKeyEntry.digest(of: key, salt: entry.parsed.salt)
            var difference: UInt8 = 0
            for (a, b) in zip(candidate, entry.parsed.digest) {
                difference |= a ^ b
            }
            if difference == 0, found == nil {
                found = Principal(id: "key:\(entry.name)", scopes: entry.scopes)
            }
        }
        return found
    }
}
