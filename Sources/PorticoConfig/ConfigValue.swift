/// A type that can appear as a value in `portico.yaml` and can say, in plain words, what it expects.
///
/// Codable's own errors name Swift types (`Array<ToolPack>`); operators need "a list of tool packs".
protocol ConfigValue: Decodable {
    /// Phrase for one value, such as "an integer".
    static var expectation: String { get }
    /// Phrase for several values, used when this type is a list element, such as "integers".
    static var pluralExpectation: String { get }
    /// Whether the value is written as a YAML sequence, so a bare scalar can get a "write it as [x]" hint.
    static var isList: Bool { get }
    /// Phrase for one element when this type is a list, since decoders report element errors in their own terms.
    static var elementExpectation: String? { get }
}

extension ConfigValue {
    static var isList: Bool { false }
    static var elementExpectation: String? { nil }
}

extension Int: ConfigValue {
    static var expectation: String { "an integer" }
    static var pluralExpectation: String { "integers" }
}

extension String: ConfigValue {
    static var expectation: String { "a string" }
    static var pluralExpectation: String { "strings" }
}

extension Optional: ConfigValue where Wrapped: ConfigValue {
    static var expectation: String { Wrapped.expectation }
    static var pluralExpectation: String { Wrapped.pluralExpectation }
    static var isList: Bool { Wrapped.isList }
    static var elementExpectation: String? { Wrapped.elementExpectation }
}

extension Array: ConfigValue where Element: ConfigValue {
    static var expectation: String { "a list of \(Element.pluralExpectation)" }
    static var pluralExpectation: String { "lists" }
    static var isList: Bool { true }
    static var elementExpectation: String? { Element.expectation }
}

extension PorticoConfiguration.Server: ConfigValue {
    static var expectation: String { "a mapping of server settings" }
    static var pluralExpectation: String { "mappings" }
}

extension PorticoConfiguration.Limits: ConfigValue {
    static var expectation: String { "a mapping of limits" }
    static var pluralExpectation: String { "mappings" }
}

extension PorticoConfiguration.Logging: ConfigValue {
    static var expectation: String { "a mapping of logging settings" }
    static var pluralExpectation: String { "mappings" }
}

extension PorticoConfiguration.Tools: ConfigValue {
    static var expectation: String { "a mapping of tool settings" }
    static var pluralExpectation: String { "mappings" }
}
