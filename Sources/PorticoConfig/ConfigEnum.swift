/// A closed vocabulary of words accepted for one key, such as log levels.
///
/// Conforming enums forward their `init(from:)` to ``decodeWord(from:)`` instead of the raw-value default so a
/// typo is reported with the accepted words and the closest one, not "Cannot initialize LogLevel".
protocol ConfigEnum: ConfigValue, CaseIterable, RawRepresentable where RawValue == String {
    /// What one value is called in messages, such as "log level".
    static var kindName: String { get }
}

/// Marks enum decoding failures whose message is already written for humans and must be shown verbatim.
struct ConfigEnumMismatch: Error {}

extension ConfigEnum {
    static var acceptedWords: [String] { allCases.map(\.rawValue) }

    static var expectation: String {
        "a \(kindName) (one of: \(acceptedWords.joined(separator: ", ")))"
    }

    static var pluralExpectation: String {
        "\(kindName)s (\(acceptedWords.joined(separator: ", ")))"
    }

    /// Decodes one accepted word; the conforming enums' public `init(from:)` forwards here.
    static func decodeWord(from decoder: any Decoder) throws -> Self {
        let word = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(rawValue: word) else {
            var message = "'\(word)' is not a \(Self.kindName); expected one of: "
                + Self.acceptedWords.joined(separator: ", ")
            if let suggestion = KeySuggestion.closest(to: word, among: Self.acceptedWords) {
                message += " (did you mean '\(suggestion)'?)"
            }
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: decoder.codingPath,
                    debugDescription: message,
                    underlyingError: ConfigEnumMismatch()
                )
            )
        }
        return value
    }
}
