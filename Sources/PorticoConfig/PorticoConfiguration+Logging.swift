extension PorticoConfiguration {
    /// The `logging:` section: verbosity and output shape of the server log.
    public struct Logging: Codable, Sendable, Equatable {
        /// Least severe level that is written.
        public var level: LogLevel
        /// Human-readable text for terminals, JSON lines for log shippers.
        public var format: LogFormat

        /// Creates a logging section; every argument defaults to the value used when the key is omitted.
        public init(level: LogLevel = .info, format: LogFormat = .text) {
            self.level = level
            self.format = format
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case level
            case format
        }

        /// Decodes the section, filling every absent or null key with its default.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Logging()
            level = try container.decodeValue(forKey: .level, default: defaults.level, in: decoder)
            format = try container.decodeValue(forKey: .format, default: defaults.format, in: decoder)
        }
    }
}
