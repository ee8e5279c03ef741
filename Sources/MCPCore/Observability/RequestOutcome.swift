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

/// The transport era of a request, as the `era` label.
public enum RequestEra: Int, Sendable, CaseIterable {
    /// 2026-07-28: stateless, every request self-contained.
    case stateless
    /// 2025-03-26 … 2025-11-25: sessions over Streamable HTTP.
    case session
    /// 2024-11-05 sessions (the HTTP+SSE transport's version).
    case httpSSE

    public init(_ version: ProtocolVersion) {
        if version.isModern {
            self = .stateless
        } else if version == .v2024_11_05 {
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
