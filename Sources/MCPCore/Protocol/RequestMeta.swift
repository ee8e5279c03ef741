/// The per-request metadata every 2026-07-28 request carries in `params._meta`.
///
/// - SeeAlso: spec 2026-07-28 basic/index §Request metadata (`RequestMetaObject`).
public struct RequestMeta: Sendable {
    /// The version string exactly as sent (it may be one this server does not serve).
    public var protocolVersionText: String
    public var clientCapabilities: JSONObject
    public var clientInfo: JSONObject?
    public var logLevel: LoggingLevel?
    public var progressToken: JSONValue?

    /// Reads `_meta`; a missing object or required key is -32602 with HTTP 400.
    public init(request: JSONRPCRequest) throws(MCPError) {
        guard let meta = request.meta else {
            throw Self.invalid("Missing params._meta: every 2026-07-28 request must carry \(MetaKey.protocolVersion) and \(MetaKey.clientCapabilities)", id: request.id)
        }
        guard case .string(let version)? = meta[MetaKey.protocolVersion] else {
            throw Self.invalid("Missing or non-string _meta[\"\(MetaKey.protocolVersion)\"]", id: request.id)
        }
        guard case .object(let capabilities)? = meta[MetaKey.clientCapabilities] else {
            throw Self.invalid("Missing or non-object _meta[\"\(MetaKey.clientCapabilities)\"]", id: request.id)
        }
        protocolVersionText = version
        clientCapabilities = capabilities
        clientInfo = meta[MetaKey.clientInfo]?.objectValue
        switch meta[MetaKey.logLevel] {
        case .none: logLevel = nil
        case .some(.string(let name)) where LoggingLevel(rawValue: name) != nil: logLevel = LoggingLevel(rawValue: name)
        case .some(let other):
            throw Self.invalid("_meta[\"\(MetaKey.logLevel)\"] must be a logging level, got \(other.jsonString)", id: request.id)
        }
        progressToken = meta[MetaKey.progressToken]
    }

    /// The served version, or -32022 naming the supported ones (HTTP 400).
    public func servedVersion(id: JSONRPCID) throws(MCPError) -> ProtocolVersion {
        guard let version = ProtocolVersion(rawValue: protocolVersionText), version.isModern else {
            let supported = ProtocolVersion.modern.map { JSONValue.string($0.rawValue) }
            throw MCPError(
                code: .unsupportedProtocolVersion,
                message: "Unsupported protocol version \(protocolVersionText); supported: \(ProtocolVersion.modern.map(\.rawValue).joined(separator: ", "))",
                data: ["supported": .array(supported), "requested": .string(protocolVersionText)],
                id: id
            )
        }
        return version
    }

    private static func invalid(_ message: String, id: JSONRPCID) -> MCPError {
        MCPError(code: .invalidParams, message: message, id: id, httpStatus: 400)
    }
}
