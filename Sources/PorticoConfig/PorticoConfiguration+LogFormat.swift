extension PorticoConfiguration {
    /// Shape of each log line.
    public enum LogFormat: String, Codable, Sendable, Equatable, CaseIterable {
        /// Human-readable lines for terminals.
        case text
        /// One JSON object per line, for log shippers.
        case json
    }
}

extension PorticoConfiguration.LogFormat: ConfigEnum {
    /// Decodes the word, naming the accepted words and the closest one when it is misspelled.
    public init(from decoder: any Decoder) throws {
        self = try Self.decodeWord(from: decoder)
    }

    static var kindName: String { "log format" }
}
