import Logging
/// Settings of the Streamable HTTP endpoint.
public struct EndpointOptions: Sendable {
    /// The MCP endpoint path; the same path with a trailing slash is served too, never redirected.
    public var path: String
    /// Largest accepted POST body; larger bodies get 413.
    public var maxBodyBytes: Int
    public var originPolicy: OriginPolicy

    public init(path: String = "/mcp", maxBodyBytes: Int = 4 * 1024 * 1024, originPolicy: OriginPolicy = OriginPolicy()) {
        self.path = path
        self.maxBodyBytes = maxBodyBytes
        self.originPolicy = originPolicy
    }
}
