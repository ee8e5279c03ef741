extension KeyedDecodingContainer {
    /// Decodes `key`, using `defaultValue` when the key is absent or null.
    ///
    /// When `decoder` carries a ``DecodingIssueCollector`` a malformed value is recorded and replaced by the
    /// default, so decoding continues and the operator sees every problem in one run; without a collector
    /// the error is rethrown, which keeps plain `YAMLDecoder` use strict.
    func decodeValue<T: ConfigValue>(
        forKey key: Key,
        default defaultValue: T,
        in decoder: any Decoder
    ) throws -> T {
        do {
            return try decodeIfPresent(T.self, forKey: key) ?? defaultValue
        } catch let error as DecodingError {
            guard let collector = decoder.userInfo[.porticoIssueCollector] as? DecodingIssueCollector else {
                throw error
            }
            let fieldPath = codingPath + [key]
            collector.record(Self.failure(for: error, type: T.self, fieldPath: fieldPath))
            return defaultValue
        }
    }

    private static func failure<T: ConfigValue>(
        for error: DecodingError,
        type: T.Type,
        fieldPath: [any CodingKey]
    ) -> DecodingIssueCollector.Failure {
        let context = error.context
        let errorPath = context.map { $0.codingPath } ?? fieldPath
        let keyPath = ConfigKeyPath.render(errorPath.count >= fieldPath.count ? errorPath : fieldPath)

        if let context, context.underlyingError is ConfigEnumMismatch {
            return .init(keyPath: keyPath, expectation: nil, expectsList: false, explanation: context.debugDescription)
        }
        // Errors deeper than the field come from list elements, and the decoder names its own node types
        // there, so the field's declared element type says what fits.
        if errorPath.count > fieldPath.count {
            return .init(
                keyPath: keyPath,
                expectation: T.elementExpectation,
                expectsList: false,
                explanation: T.elementExpectation == nil ? "has the wrong type" : nil
            )
        }
        return .init(keyPath: keyPath, expectation: T.expectation, expectsList: T.isList, explanation: nil)
    }
}

extension DecodingError {
    /// The context of any case, so callers need not switch over every one.
    fileprivate var context: Context? {
        switch self {
        case let .typeMismatch(_, context), let .valueNotFound(_, context),
             let .keyNotFound(_, context), let .dataCorrupted(context):
            return context
        @unknown default:
            return nil
        }
    }
}
