/// A dated MCP protocol revision that Portico serves.
///
/// The legacy era (2025-03-26 … 2025-11-25) negotiates a version once in `initialize`
/// and keeps it in a session; the modern era (2026-07-28) names the version on every
/// request (`_meta["io.modelcontextprotocol/protocolVersion"]`, spec 2026-07-28
/// basic/versioning). A dual-era server picks the era per request.
public enum ProtocolVersion: String, Sendable, CaseIterable, Comparable {
    /// Only over the deprecated HTTP+SSE transport (`GET /sse`, `POST /messages`); Streamable HTTP starts at 2025-03-26.
    case v2024_11_05 = "2024-11-05"
    case v2025_03_26 = "2025-03-26"
    case v2025_06_18 = "2025-06-18"
    case v2025_11_25 = "2025-11-25"
    case v2026_07_28 = "2026-07-28"

    /// Versions negotiated through `initialize`, oldest first.
    public static let legacy: [ProtocolVersion] = [.v2025_03_26, .v2025_06_18, .v2025_11_25]
    /// Versions served over the 2024-11-05 HTTP+SSE transport.
    public static let httpSSE: [ProtocolVersion] = [.v2024_11_05] + legacy
    /// Versions served statelessly, per request.
    public static let modern: [ProtocolVersion] = [.v2026_07_28]
    public static let latestLegacy: ProtocolVersion = .v2025_11_25

    public var isModern: Bool { self >= .v2026_07_28 }

    /// JSON-RPC batches exist only in 2025-03-26 (removed in 2025-06-18).
    public var allowsBatches: Bool { self <= .v2025_03_26 }

    /// Priming events and `retry:` are safe only from 2025-11-25 (older clients parse "" and crash).
    public var supportsPriming: Bool { self >= .v2025_11_25 }

    public static func < (lhs: ProtocolVersion, rhs: ProtocolVersion) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The legacy answer to `initialize`: echo a supported version, else the latest (lifecycle §Version Negotiation).
    public static func negotiate(requested: String, among served: [ProtocolVersion] = legacy) -> ProtocolVersion {
        if let version = ProtocolVersion(rawValue: requested), served.contains(version) { return version }
        return latestLegacy
    }
}

/// Keys of the reserved `_meta` namespace used by the 2026-07-28 revision.
public enum MetaKey {
    public static let protocolVersion = "io.modelcontextprotocol/protocolVersion"
    public static let clientInfo = "io.modelcontextprotocol/clientInfo"
    public static let clientCapabilities = "io.modelcontextprotocol/clientCapabilities"
    public static let logLevel = "io.modelcontextprotocol/logLevel"
    public static let serverInfo = "io.modelcontextprotocol/serverInfo"
    public static let subscriptionId = "io.modelcontextprotocol/subscriptionId"
    public static let progressToken = "progressToken"
}

/// Severity of a `notifications/message` log entry (RFC 5424 levels, MCP logging utility).
public enum LoggingLevel: String, Sendable, CaseIterable, Comparable {
    case debug, info, notice, warning, error, critical, alert, emergency

    private var rank: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (lhs: LoggingLevel, rhs: LoggingLevel) -> Bool { lhs.rank < rhs.rank }
}
