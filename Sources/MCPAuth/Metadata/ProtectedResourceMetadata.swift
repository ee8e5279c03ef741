import MCPCore

/// The OAuth 2.0 Protected Resource Metadata document (RFC 9728 §2) MCP clients read to find
/// the authorization server (2025-06-18 and later `basic/authorization` §Authorization Server
/// Discovery).
///
/// `resource` is the configured public URL exactly: clients (ChatGPT, VS Code) compare it
/// with the URL they were given and send it verbatim as the RFC 8707 `resource` parameter,
/// so it is never rebuilt from a request's Host or scheme.
public struct ProtectedResourceMetadata: Sendable {
    public var resource: String
    public var authorizationServers: [String]
    public var scopesSupported: [String]
    public var resourceName: String?

    public init(resource: String, authorizationServers: [String], scopesSupported: [String], resourceName: String? = nil) {
        self.resource = resource
        self.authorizationServers = authorizationServers
        // RFC 9728 allows it, MCP 2026-07-28 asks not to: refresh tokens are the AS's business.
        self.scopesSupported = scopesSupported.filter { $0 != "offline_access" }
        self.resourceName = resourceName
    }

    /// The document, written once.
    public var json: [UInt8] {
        var object: JSONObject = [
            "resource": .string(resource),
            "authorization_servers": .array(authorizationServers.map { .string($0) }),
            "bearer_methods_supported": ["header"],
        ]
        if !scopesSupported.isEmpty { object["scopes_supported"] = .array(scopesSupported.map { .string($0) }) }
        if let resourceName { object["resource_name"] = .string(resourceName) }
        return JSONValue.object(object).jsonBytes
    }

    /// The well-known paths the document is served at: the path-inserted form RFC 9728 §3.1
    /// defines for a resource with a path (`/.well-known/oauth-protected-resource/mcp`), which
    /// 2025-11-25 clients try first, and the root form they fall back to.
    public var wellKnownPaths: [String] {
        let path = Self.path(of: resource)
        let root = "/.well-known/oauth-protected-resource"
        return path.isEmpty || path == "/" ? [root] : [root + path, root]
    }

    /// The absolute URL named in `resource_metadata` of challenges (the path-inserted form).
    public var url: String {
        Self.origin(of: resource) + wellKnownPaths[0]
    }

    static func origin(of url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        return String(url[..<schemeEnd.upperBound]) + rest.prefix { $0 != "/" }
    }

    static func path(of url: String) -> String {
        String(url.dropFirst(origin(of: url).count))
    }
}
