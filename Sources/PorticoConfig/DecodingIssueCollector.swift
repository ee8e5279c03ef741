/// Gathers decoding failures so one load reports every bad value instead of stopping at the first.
///
/// It travels through `Decoder.userInfo`, which is why it is a class; it lives only for one synchronous
/// decode and never crosses a concurrency boundary.
final class DecodingIssueCollector {
    /// One value that could not be decoded and was replaced by its default.
    struct Failure {
        /// Dotted key path of the bad value, such as `tools.packs[1]`.
        var keyPath: String
        /// What the key expects, when the failure is a shape or type mismatch.
        var expectation: String?
        /// Whether the key expects a list, so a bare scalar can get a "write it as [x]" hint.
        var expectsList: Bool
        /// A complete message that replaces the generic "expected X, got Y" wording.
        var explanation: String?
    }

    private(set) var failures: [Failure] = []

    func record(_ failure: Failure) {
        failures.append(failure)
    }
}

extension CodingUserInfoKey {
    /// Where ``DecodingIssueCollector`` is found in `Decoder.userInfo`.
    // The raw value is a literal, so construction cannot fail.
    static let porticoIssueCollector = CodingUserInfoKey(rawValue: "portico.config.issueCollector")!
}
