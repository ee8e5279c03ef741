import Synchronization

/// How many SSE responses are open right now, by kind: the `portico_open_streams` gauge,
/// read at each scrape. Counted where a stream's body starts and ends, so a client that
/// leaves before the head is written is never counted.
public final class OpenStreams: Sendable {
    public enum Kind: Int, Sendable, CaseIterable {
        /// A POST answered with SSE (progress, logs or input requests before the result).
        case reply
        /// A legacy GET: the standalone stream or a resumption with `Last-Event-ID`.
        case get
        /// A 2026-07-28 `subscriptions/listen` stream.
        case listen
        /// A 2024-11-05 `GET /sse` stream.
        case httpSSE

        /// The `kind` label value.
        public var label: String {
            switch self {
            case .reply: "reply"
            case .get: "get"
            case .listen: "listen"
            case .httpSSE: "http_sse"
            }
        }
    }

    private let counts = Mutex<[Int]>(Array(repeating: 0, count: Kind.allCases.count))

    public init() {}

    func opened(_ kind: Kind) { counts.withLock { $0[kind.rawValue] += 1 } }
    func closed(_ kind: Kind) { counts.withLock { $0[kind.rawValue] -= 1 } }

    /// Open streams of `kind`.
    public func count(_ kind: Kind) -> Int { counts.withLock { $0[kind.rawValue] } }
}
