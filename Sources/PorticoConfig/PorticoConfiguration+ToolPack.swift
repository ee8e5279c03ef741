extension PorticoConfiguration {
    /// A named bundle of built-in tools.
    public enum ToolPack: String, Codable, Sendable, Equatable, CaseIterable {
        /// Small example tools for trying the server out.
        case demo
        /// Tools the MCP conformance suite expects to find.
        case conformance
    }
}

extension PorticoConfiguration.ToolPack: ConfigEnum {
    /// Decodes the word, naming the accepted words and the closest one when it is misspelled.
    public init(from decoder: any Decoder) throws {
        self = try Self.decodeWord(from: decoder)
    }

    static var kindName: String { "tool pack" }
}
