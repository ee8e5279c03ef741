import HTTPTypes

/// The request headers the endpoint reads, found in one pass over the fields.
///
/// Looking each one up by name scans every field again (seven scans per request); one pass
/// that compares names is cheaper and keeps the per-request cost flat.
struct MCPHeaders: Sendable {
    var sessionID: String?
    var protocolVersion: String?
    var method: String?
    var name: String?
    var accept: String?
    var contentType: String?
    var contentLength: String?
    var origin: String?

    init(_ fields: HTTPFields) {
        for field in fields {
            switch field.name {
            case .contentType: contentType = field.value
            case .contentLength: contentLength = field.value
            case .accept: accept = Self.joined(accept, field.value)
            case .mcpSessionID: sessionID = field.value
            case .mcpProtocolVersion: protocolVersion = field.value
            case .mcpMethod: method = field.value
            case .mcpName: name = field.value
            case .origin: origin = field.value
            default: continue
            }
        }
    }

    /// Repeated `Accept` fields form one list (RFC 9110 §5.3).
    private static func joined(_ existing: String?, _ value: String) -> String {
        guard let existing else { return value }
        return existing + ", " + value
    }
}
