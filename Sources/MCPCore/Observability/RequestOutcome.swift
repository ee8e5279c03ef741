/// How one MCP request ended, as the `outcome` label of `portico_requests_total`.
public enum RequestOutcome: Int, Sendable, CaseIterable {
    /// A result.
    case ok
    /// A `tools/call` result with `isError: true`: the tool ran and reported a failure.
    case toolError
    /// A JSON-RPC error response.
    case error
    /// Cancelled by the client (or its connection closing) before a result.
    case cancelled

    /// The label value.
    public var label: String {
        switch self {
        case .ok: "ok"
        case .toolError: "tool_error"
        case .error: "error"
        case .cancelled: "cancelled"
        }
    }
}

/// The era of a request, as the `era` label: which of the three ways to reach the server
/// it came by, whatever version a session negotiated.
public enum RequestEra: Int, Sendable, CaseIterable {
    /// 2026-07-28: stateless, every request self-contained.
    case stateless
    /// Sessions over Streamable HTTP (2025-03-26 … 2025-11-25).
    case session
    /// Sessions over the 2024-11-05 HTTP+SSE transport (`GET /sse` + `POST /messages`).
    case httpSSE

    /// The era of a request being handled: an HTTP+SSE session is the one with a push stream.
    public init(_ context: HandlerContext) {
        if context.protocolVersion.isModern {
            self = .stateless
        } else if context.session?.pushStream != nil {
            self = .httpSSE
        } else {
            self = .session
        }
    }

    /// The label value.
    public var label: String {
        switch self {
        case .stateless: "stateless"
        case .session: "session"
        case .httpSSE: "http_sse"
        }
    }
}
