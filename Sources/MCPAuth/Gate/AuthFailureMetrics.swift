public import CoreMetrics

/// `portico_auth_failures_total{reason}`: every refusal of the gate, by why. One counter per
/// reason, made up front; reasons are a closed set, never anything from the request.
public struct AuthFailureMetrics: Sendable {
    /// No credential at all, or another scheme than Bearer (the 401 that starts discovery).
    public static let missingCredential = "missing_credential"
    /// Two Authorization headers, a malformed Bearer value, or a token in the URL (400).
    public static let invalidRequest = "invalid_request"
    /// Authenticated, but without the scopes the request needs (403).
    public static let insufficientScope = "insufficient_scope"

    /// Every label value: the three above plus each ``TokenRejection/Reason``.
    public static let reasons: [String] = [missingCredential, invalidRequest, insufficientScope] + TokenRejection.Reason.allCases.map(\.rawValue)

    public static let label = "portico_auth_failures_total"

    private let counters: [String: Counter]

    public init(factory: any MetricsFactory) {
        var counters: [String: Counter] = [:]
        for reason in Self.reasons {
            counters[reason] = Counter(label: Self.label, dimensions: [("reason", reason)], factory: factory)
        }
        self.counters = counters
    }

    func count(_ reason: String) { counters[reason]?.increment() }
}
