extension PorticoConfiguration {
    /// The `limits:` section: ceilings that keep one client from exhausting memory or session slots.
    public struct Limits: Codable, Sendable, Equatable {
        /// Largest accepted request body; bigger bodies are rejected before they are buffered.
        public var maxBodyBytes: Int
        /// Most concurrent MCP sessions; new sessions beyond it are refused rather than evicting live ones.
        public var maxSessions: Int
        /// Seconds a session may sit unused before it is reclaimed.
        public var sessionIdleTimeoutSeconds: Int
        /// Items per page for paginated `*/list` results (1...1000).
        public var pageSize: Int
        /// Seconds a `tools/call` may run before it is cancelled and answered with an error; 0 means
        /// no limit. The edge's `proxy_timeout_seconds` must exceed it, or nginx would cut the reply first.
        public var callTimeoutSeconds: Int

        /// Creates a limits section; every argument defaults to the value used when the key is omitted.
        public init(
            maxBodyBytes: Int = 4_194_304,
            maxSessions: Int = 10_000,
            sessionIdleTimeoutSeconds: Int = 1_800,
            pageSize: Int = 100,
            callTimeoutSeconds: Int = 600
        ) {
            self.callTimeoutSeconds = callTimeoutSeconds
            self.maxBodyBytes = maxBodyBytes
            self.maxSessions = maxSessions
            self.sessionIdleTimeoutSeconds = sessionIdleTimeoutSeconds
            self.pageSize = pageSize
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case maxBodyBytes = "max_body_bytes"
            case maxSessions = "max_sessions"
            case sessionIdleTimeoutSeconds = "session_idle_timeout_seconds"
            case pageSize = "page_size"
            case callTimeoutSeconds = "call_timeout_seconds"
        }

        /// Decodes the section, filling every absent or null key with its default.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Limits()
            maxBodyBytes = try container.decodeValue(forKey: .maxBodyBytes, default: defaults.maxBodyBytes, in: decoder)
            maxSessions = try container.decodeValue(forKey: .maxSessions, default: defaults.maxSessions, in: decoder)
            sessionIdleTimeoutSeconds = try container.decodeValue(
                forKey: .sessionIdleTimeoutSeconds, default: defaults.sessionIdleTimeoutSeconds, in: decoder
            )
            pageSize = try container.decodeValue(forKey: .pageSize, default: defaults.pageSize, in: decoder)
            callTimeoutSeconds = try container.decodeValue(forKey: .callTimeoutSeconds, default: defaults.callTimeoutSeconds, in: decoder)
        }
    }
}
