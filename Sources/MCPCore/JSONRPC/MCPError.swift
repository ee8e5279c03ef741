/// A JSON-RPC error code (JSON-RPC 2.0 §5.1 and the MCP-defined codes).
public struct ErrorCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let parseError = ErrorCode(rawValue: -32700)
    public static let invalidRequest = ErrorCode(rawValue: -32600)
    public static let methodNotFound = ErrorCode(rawValue: -32601)
    public static let invalidParams = ErrorCode(rawValue: -32602)
    public static let internalError = ErrorCode(rawValue: -32603)
    /// Legacy era (≤ 2025-11-25): the session id is unknown, deleted or expired (TypeScript SDK convention).
    public static let sessionNotFound = ErrorCode(rawValue: -32001)
    /// Legacy era (≤ 2025-11-25): `resources/read` of an unknown URI.
    public static let resourceNotFound = ErrorCode(rawValue: -32002)
    /// 2026-07-28: HTTP headers disagree with the body, or a required header is missing or malformed.
    public static let headerMismatch = ErrorCode(rawValue: -32020)
    /// 2026-07-28: the request needs a client capability that `_meta` did not declare.
    public static let missingRequiredClientCapability = ErrorCode(rawValue: -32021)
    /// 2026-07-28: the requested protocol version is not served here.
    public static let unsupportedProtocolVersion = ErrorCode(rawValue: -32022)

    public var description: String { String(rawValue) }
}

/// A protocol error with exactly one wire form: a JSON-RPC error object.
///
/// Every failure the server reports to a client is one of these; the HTTP layer adds the
/// status code from ``httpStatus`` so the JSON-RPC code and the HTTP status never disagree.
public struct MCPError: Error, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    public var data: JSONValue?
    /// The request id to echo, when the error was found before the request was classified.
    public var id: JSONRPCID?
    /// The HTTP status this error is sent with on the Streamable HTTP transport.
    public var httpStatus: Int

    public init(code: ErrorCode, message: String, data: JSONValue? = nil, id: JSONRPCID? = nil, httpStatus: Int? = nil) {
        self.code = code
        self.message = message
        self.data = data
        self.id = id
        self.httpStatus = httpStatus ?? Self.defaultStatus(for: code)
    }

    static func defaultStatus(for code: ErrorCode) -> Int {
        switch code {
        case .parseError, .invalidRequest, .headerMismatch, .missingRequiredClientCapability, .unsupportedProtocolVersion: 400
        case .sessionNotFound: 404
        default: 200
        }
    }

    public var description: String { "\(code.rawValue) \(message)" }

    public static func invalidParams(_ message: String, data: JSONValue? = nil) -> MCPError {
        MCPError(code: .invalidParams, message: message, data: data)
    }

    public static func methodNotFound(_ method: String) -> MCPError {
        MCPError(code: .methodNotFound, message: "Method not found: \(method)")
    }

    public static func internalError(_ message: String) -> MCPError {
        MCPError(code: .internalError, message: message)
    }
}
