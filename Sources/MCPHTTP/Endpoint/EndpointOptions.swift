import Logging
/// Settings of the Streamable HTTP endpoint.
public struct EndpointOptions: Sendable {
    /// The MCP endpoint path; the same path with a trailing slash is served too, never redirected.
    public var path: String
    /// Largest accepted POST body; larger bodies get 413.
    public var maxBodyBytes: Int
    public var originPolicy: OriginPolicy
    /// The SSE `retry:` field (milliseconds) in priming events of 2025-11-25 sessions.
    public var retryMilliseconds: Int
    /// Resource URIs one `subscriptions/listen` stream may name.
    public var maximumSubscriptions: Int
    /// Whether the 2024-11-05 HTTP+SSE endpoints (`GET /sse`, `POST /messages`) are served.
    public var legacySSE: Bool

    public init(
        path: String = "/mcp", maxBodyBytes: Int = 4 * 1024 * 1024, originPolicy: OriginPolicy = OriginPolicy(),
        retryMilliseconds: Int = 1_000, maximumSubscriptions: Int = 1_000, legacySSE: Bool = true
    ) {
        self.path = path
        self.maxBodyBytes = maxBodyBytes
        self.originPolicy = originPolicy
        self.retryMilliseconds = retryMilliseconds
        self.maximumSubscriptions = maximumSubscriptions
        self.legacySSE = legacySSE
    }
}
