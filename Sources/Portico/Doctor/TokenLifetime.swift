import Foundation

/// The lifetime (`exp - iat`) of the probe credential when it is a JWT, read from its payload
/// without verifying it: `clock-skew` compares the issuer's clock with it, since a skew that
/// eats much of a token's life makes it look expired (or not yet valid) for most of it.
enum TokenLifetime {
    /// Seconds from `iat` to `exp`, or `nil` when `token` is not a JWT with both claims as
    /// numbers (an API key, an opaque token).
    static func seconds(of token: String) -> Double? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = base64URLDecoded(parts[1]),
              let claims = try? JSONSerialization.jsonObject(with: payload) as? [String: Any],
              let exp = (claims["exp"] as? NSNumber)?.doubleValue, let iat = (claims["iat"] as? NSNumber)?.doubleValue,
              exp > iat else { return nil }
        return exp - iat
    }

    static func base64URLDecoded(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
