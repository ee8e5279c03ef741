import HTTPTypes

/// Which browser origins may call the endpoint cross-origin, and with which headers.
///
/// Browser-based MCP clients send `Authorization` and the MCP headers, which need a
/// preflight; they must read `Mcp-Session-Id` (to continue a session) and `WWW-Authenticate`
/// (to find the authorization server), which need exposing.
public struct CORSPolicy: Sendable {
    /// `scheme://host[:port]` entries, or `*` for any origin.
    public var origins: Set<String>

    public init(origins: [String]) {
        self.origins = Set(origins.map { $0.lowercased() })
    }

    public var isEnabled: Bool { !origins.isEmpty }

    public func allows(origin: String) -> Bool {
        origins.contains("*") || origins.contains(origin.lowercased())
    }

    /// Request headers a browser may send (`Mcp-Param-*` by prefix).
    static let allowedHeaders: [String] = [
        "content-type", "authorization", "mcp-session-id", "mcp-protocol-version", "last-event-id", "mcp-method", "mcp-name", "accept",
    ]
    static let exposedHeaders = "Mcp-Session-Id, WWW-Authenticate, MCP-Protocol-Version"
    static let allowedMethods = "GET, POST, DELETE, OPTIONS"

    /// The requested headers this policy allows, in the order asked.
    static func allowedSubset(of requested: String) -> String {
        requested.split(separator: ",").map { $0.trimmingSpaces }.filter { name in
            let lower = name.lowercased()
            return allowedHeaders.contains(lower) || (lower.hasPrefix("mcp-param-") && lower.count > 10)
        }.joined(separator: ", ")
    }

    /// The headers of a preflight answer for `origin`.
    func preflightHeaders(origin: String, requestedHeaders: String?) -> HTTPFields {
        var headers: HTTPFields = [
            .accessControlAllowOrigin: origin, .accessControlAllowMethods: Self.allowedMethods,
            .accessControlMaxAge: "600", .vary: "Origin",
        ]
        if let requestedHeaders {
            let allowed = Self.allowedSubset(of: requestedHeaders)
            if !allowed.isEmpty { headers[.accessControlAllowHeaders] = allowed }
        }
        return headers
    }

    /// Adds the headers of a cross-origin answer for `origin` to `headers`.
    func decorate(_ headers: inout HTTPFields, origin: String) {
        headers[.accessControlAllowOrigin] = origin
        headers[.accessControlExposeHeaders] = Self.exposedHeaders
        headers.append(HTTPField(name: .vary, value: "Origin"))
    }
}
