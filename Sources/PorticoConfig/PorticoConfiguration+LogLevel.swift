extension PorticoConfiguration {
    /// Log severity threshold; the names match swift-log's `Logger.Level` so callers can map them one to one.
    public enum LogLevel: String, Codable, Sendable, Equatable, CaseIterable {
        case trace
        case debug
        case info
        case notice
        case warning
        case error
        case critical

        /// Whether info lines are written at this threshold.
        public var includesInfo: Bool { self == .trace || self == .debug || self == .info }
    }
}

extension PorticoConfiguration.LogLevel: ConfigEnum {
    /// Decodes the word, naming the accepted words and the closest one when it is misspelled.
    public init(from decoder: any Decoder) throws {
        self = try Self.decodeWord(from: decoder)
    }

    static var kindName: String { "log level" }
}
