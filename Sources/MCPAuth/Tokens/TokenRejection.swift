/// Why a bearer token was refused.
///
/// The HTTP layer turns every reason except ``Reason/unavailable`` into `401` with
/// `WWW-Authenticate: Bearer error="invalid_token", error_description="<detail>"`
/// (RFC 6750 §3.1); `.unavailable` becomes `503`, because the server could not decide
/// (the issuer's JWKS, metadata or introspection endpoint was unreachable) and the client
/// should retry rather than throw its token away.
public struct TokenRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable, CaseIterable {
        case malformed
        case expired
        case notYetValid = "not_yet_valid"
        case wrongIssuer = "wrong_issuer"
        case wrongAudience = "wrong_audience"
        case badSignature = "bad_signature"
        case unknownKey = "unknown_key"
        case algorithmNotAllowed = "algorithm_not_allowed"
        case inactive
        case unknownAPIKey = "unknown_api_key"
        case tooLarge = "too_large"
        case unavailable
    }

    public var reason: Reason
    /// A sentence for `error_description`. It never quotes the token or any part of it (a
    /// `kid` or `iss` read from the token included), and it is printable ASCII without `"`
    /// or `\`, so it can be placed in a quoted-string as it is (RFC 6750 §3).
    public var detail: String

    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = Self.headerSafe(detail)
    }

    public var description: String { "\(reason.rawValue): \(detail)" }

    /// RFC 6750 §3: error_description is limited to %x20-21 / %x23-5B / %x5D-7E.
    private static func headerSafe(_ text: String) -> String {
        let bytes = text.utf8.map { byte -> UInt8 in
            (0x20...0x7E).contains(byte) && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") ? byte : UInt8(ascii: "?")
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
