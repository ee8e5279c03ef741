extension PorticoConfiguration {
    /// The `tools:` section: which built-in tool packs the server exposes.
    public struct Tools: Codable, Sendable, Equatable {
        /// Enabled packs, in the order their tools are listed; empty runs a server with no tools.
        public var packs: [ToolPack]

        /// Creates a tools section; defaults to the demo pack so a fresh install has something to call.
        public init(packs: [ToolPack] = [.demo]) {
            self.packs = packs
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case packs
        }

        /// Decodes the section, filling every absent or null key with its default.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            packs = try container.decodeValue(forKey: .packs, default: Tools().packs, in: decoder)
        }
    }
}
