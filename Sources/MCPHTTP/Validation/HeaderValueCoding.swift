import MCPCore

/// Decoding of mirrored header values (2026-07-28 transports §Value Encoding).
///
/// `=?base64?…?=` carries the Base64 of the UTF-8 value; anything else is the literal
/// value. Surrounding optional whitespace (RFC 9110 §5.5) is not part of the value.
enum HeaderValueCoding {
    enum Failure: Error { case invalidCharacters, invalidBase64 }

    static func decode(_ raw: String) throws(Failure) -> String {
        let value = raw.trimmingSpaces
        for byte in value.utf8 where !(byte == 0x09 || (0x20...0x7E).contains(byte)) {
            throw .invalidCharacters
        }
        let prefix = "=?base64?"
        let suffix = "?="
        guard value.hasPrefix(prefix), value.hasSuffix(suffix), value.utf8.count >= prefix.utf8.count + suffix.utf8.count else {
            return value
        }
        let encoded = String(value.dropFirst(prefix.count).dropLast(suffix.count))
        // Only the canonical encoding: one spelling per value, so an edge keyed on the header
        // (nginx's per-tool rate limits) cannot be sidestepped with an equivalent one.
        guard let bytes = Base64.decode(encoded), Base64.encode(bytes) == encoded,
              let text = String(validating: bytes, as: UTF8.self) else {
            throw .invalidBase64
        }
        return text
    }
}
