import Crypto

/// Opaque, tamper-checked pagination cursors (basic/utilities/pagination).
///
/// A cursor is `base64url(list ":" offset) "." base64url(HMAC-SHA256 tag)`. The key is
/// random per process unless one is configured, so a forged or edited cursor is refused
/// with -32602 instead of silently paging from an arbitrary place.
public struct CursorCodec: Sendable {
    private let key: SymmetricKey

    public init(key: SymmetricKey = SymmetricKey(size: .bits256)) { self.key = key }

    public func encode(list: String, offset: Int) -> String {
        let payload = Array("\(list):\(offset)".utf8)
        let tag = HMAC<SHA256>.authenticationCode(for: payload, using: key)
        return Base64URL.encode(payload) + "." + Base64URL.encode(Array(tag).prefix(16))
    }

    /// The offset a cursor points at, or `nil` when it was not issued by this server for `list`.
    public func decode(_ cursor: String, list: String) -> Int? {
        let parts = cursor.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Base64URL.decode(String(parts[0])), let tag = Base64URL.decode(String(parts[1])),
            tag.count == 16
        else { return nil }
        let expected = Array(HMAC<SHA256>.authenticationCode(for: payload, using: key)).prefix(16)
        // Constant-time comparison: the tag must not leak through timing.
        var difference: UInt8 = 0
        for (lhs, rhs) in zip(expected, tag) { difference |= lhs ^ rhs }
        guard difference == 0 else { return nil }
        let text = String(decoding: payload, as: UTF8.self)
        let fields = text.split(separator: ":")
        guard fields.count == 2, fields[0] == list, let offset = Int(fields[1]), offset >= 0 else { return nil }
        return offset
    }
}
