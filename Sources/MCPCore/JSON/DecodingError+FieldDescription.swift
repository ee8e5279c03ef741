extension DecodingError {
    /// A one-line message for tool callers that names the offending field.
    ///
    /// Tool-input validation errors go back to a model or a person, who needs to know
    /// which argument to fix, not which Swift type failed; `debugDescription` is written
    /// for developers and omits the field. Examples:
    ///
    /// - `missing required field 'a'`
    /// - `field 'items[2].name' must be a string, got integer`
    /// - `field 'count' must be an integer, got 1.5`
    /// - `field 'level' must be an integer between 0 and 255, got 300`
    /// - `unknown value 'x' for field 'mode'`
    /// - `input must be an object`
    ///
    /// Errors from `JSONValueDecoder` carry structured detail; errors from other
    /// decoders (such as Foundation's) get the best message their context allows.
    public var fieldDescription: String {
        switch self {
        case .keyNotFound(let key, let context):
            return "missing required field '\(Self.fieldPath(context.codingPath + [key]))'"
        case .typeMismatch(let type, let context):
            return Self.describeInvalid(type, context, defaultFound: Self.foundType(in: context.debugDescription))
        case .valueNotFound(let type, let context):
            return Self.describeInvalid(type, context, defaultFound: "null")
        case .dataCorrupted(let context):
            if let issue = context.underlyingError as? JSONDecodingIssue {
                return Self.describe(issue, at: context.codingPath)
            }
            if let rawValue = Self.invalidRawValue(in: context.debugDescription) {
                let subject = context.codingPath.isEmpty ? "input" : "field '\(Self.fieldPath(context.codingPath))'"
                return "unknown value '\(rawValue)' for \(subject)"
            }
            return "\(Self.subject(context.codingPath)) is invalid: \(context.debugDescription)"
        @unknown default:
            return "invalid input: \(self)"
        }
    }

    // MARK: - Message parts

    private static func describeInvalid(_ type: Any.Type, _ context: Context, defaultFound: String?) -> String {
        if let issue = context.underlyingError as? JSONDecodingIssue {
            return describe(issue, at: context.codingPath)
        }
        let expected = expectedPhrase(for: type)
        if context.codingPath.isEmpty { return "input must be \(expected)" }
        guard let found = defaultFound else { return "\(subject(context.codingPath)) must be \(expected)" }
        return "\(subject(context.codingPath)) must be \(expected), got \(found)"
    }

    private static func describe(_ issue: JSONDecodingIssue, at codingPath: [any CodingKey]) -> String {
        switch issue.kind {
        case .missingElement:
            return "missing required field '\(fieldPath(codingPath))'"
        case .invalid:
            // At the root the caller sent the wrong kind of document; what it was adds little.
            if codingPath.isEmpty { return "input must be \(issue.expected)" }
            return "\(subject(codingPath)) must be \(issue.expected), got \(issue.found)"
        }
    }

    private static func subject(_ codingPath: [any CodingKey]) -> String {
        codingPath.isEmpty ? "input" : "field '\(fieldPath(codingPath))'"
    }

    /// Renders a coding path the way callers write it: `items[2].name`.
    private static func fieldPath(_ codingPath: [any CodingKey]) -> String {
        var path = ""
        for key in codingPath {
            // Array positions: ours, or the "Index n" convention Foundation uses.
            if let index = key.intValue, key is JSONIndexKey || key.stringValue == "Index \(index)" {
                path += "[\(index)]"
            } else {
                if !path.isEmpty { path += "." }
                path += key.stringValue
            }
        }
        return path
    }

    private static func expectedPhrase(for type: Any.Type) -> String {
        switch type {
        case is Bool.Type: "a boolean"
        case is String.Type: "a string"
        case is Double.Type, is Float.Type: "a number"
        case is any FixedWidthInteger.Type: "an integer"
        case is [String: Any].Type: "an object"
        case is [Any].Type: "an array"
        default: "a value of type \(type)"
        }
    }

    /// Pulls "number" out of Foundation's "Expected to decode String but found number instead."
    private static func foundType(in description: String) -> String? {
        guard let start = description.firstRange(of: "but found ")?.upperBound else { return nil }
        let rest = description[start...]
        let end = rest.firstRange(of: " instead")?.lowerBound ?? rest.endIndex
        let found = rest[..<end]
        return found.isEmpty ? nil : String(found)
    }

    /// Recognises the standard library's `RawRepresentable` failure,
    /// "Cannot initialize Mode from invalid String value x", and returns "x".
    private static func invalidRawValue(in description: String) -> String? {
        guard description.hasPrefix("Cannot initialize "),
              let marker = description.firstRange(of: " from invalid ")?.upperBound,
              let value = description[marker...].firstRange(of: " value ")?.upperBound
        else { return nil }
        return String(description[value...])
    }
}
