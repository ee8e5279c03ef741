import Logging
public import HTTPTypes

extension HTTPField.Name {
    /// `Mcp-Session-Id` (legacy era; spelled `MCP-Session-Id` in 2025-11-25, names are case-insensitive).
    public static let mcpSessionID = Self("Mcp-Session-Id")!
    public static let mcpProtocolVersion = Self("MCP-Protocol-Version")!
    /// 2026-07-28 standard request headers mirrored from the body.
    public static let mcpMethod = Self("Mcp-Method")!
    public static let mcpName = Self("Mcp-Name")!
    public static let lastEventID = Self("Last-Event-ID")!
    /// Tells NGINX not to buffer this response (transports §Receiving Messages, 2026-07-28).
    public static let xAccelBuffering = Self("X-Accel-Buffering")!
    /// The request id nginx sets (`$request_id`), shared by its access log and Portico's.
    public static let xRequestID = Self("X-Request-ID")!
}
