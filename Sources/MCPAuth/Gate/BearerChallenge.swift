/// A `WWW-Authenticate: Bearer …` challenge (RFC 6750 §3) pointing at the protected-resource
/// metadata (RFC 9728 §5.1), as MCP clients expect on 401 and 403 (2025-11-25
/// `basic/authorization` §Protected Resource Metadata Discovery, §Scope Challenge Handling).
struct BearerChallenge: Sendable {
    enum ErrorCode: String, Sendable {
        case invalidRequest = "invalid_request"
        case invalidToken = "invalid_token"
        case insufficientScope = "insufficient_scope"
    }

    var error: ErrorCode?
    var description: String?
    var resourceMetadata: String?
    var scopes: [String]

    /// The header value. Quoted strings hold no `"` or `\` (descriptions are ours, scopes are
    /// scope-tokens), so no escaping is needed; anything else is dropped rather than escaped.
    var headerValue: String {
        var parameters: [String] = []
        if let error { parameters.append("error=\"\(error.rawValue)\"") }
        if let description { parameters.append("error_description=\"\(Self.quotable(description))\"") }
        if let resourceMetadata { parameters.append("resource_metadata=\"\(resourceMetadata)\"") }
        if !scopes.isEmpty { parameters.append("scope=\"\(scopes.joined(separator: " "))\"") }
        return parameters.isEmpty ? "Bearer" : "Bearer " + parameters.joined(separator: ", ")
    }

    /// RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E.
    static func quotable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value == 0x20 || $0.value == 0x21 || (0x23...0x5B).contains($0.value) || (0x5D...0x7E).contains($0.value) }))
    }
}
