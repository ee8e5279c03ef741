/// What `portico status` shows: rates and quantiles between two scrapes, and the state of
/// the later one.
public struct StatusFigures: Sendable, Codable, Equatable {
    /// `tools/call` requests per second.
    public var callsPerSecond: Double
    /// Every MCP request per second.
    public var requestsPerSecond: Double
    /// Requests per second that ended in a JSON-RPC error or a tool error.
    public var errorsPerSecond: Double
    /// Tool latency quantiles over the interval, in milliseconds; `nil` without calls.
    public var p50Milliseconds: Double?
    public var p99Milliseconds: Double?
    /// Open SSE responses by kind.
    public var openStreams: [String: Int]
    public var sessions: Int
    public var listenSubscribers: Int
    /// Children up and existing, per stdio source.
    public var childrenUp: [String: Int]
    public var children: [String: Int]
    /// nginx's connection states (`active`, `reading`, `writing`, `waiting`); empty without nginx.
    public var nginx: [String: Int]
    /// Whether nginx's stub_status answered; `nil` when Portico does not read one.
    public var nginxUp: Bool?

    enum CodingKeys: String, CodingKey {
        case callsPerSecond, requestsPerSecond, errorsPerSecond, p50Milliseconds, p99Milliseconds, openStreams, sessions
        case listenSubscribers, childrenUp, children, nginx, nginxUp
    }

    /// Every key, `null` when there is no value: scripts see the same keys on every line.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(callsPerSecond, forKey: .callsPerSecond)
        try container.encode(requestsPerSecond, forKey: .requestsPerSecond)
        try container.encode(errorsPerSecond, forKey: .errorsPerSecond)
        try container.encode(p50Milliseconds, forKey: .p50Milliseconds)
        try container.encode(p99Milliseconds, forKey: .p99Milliseconds)
        try container.encode(openStreams, forKey: .openStreams)
        try container.encode(sessions, forKey: .sessions)
        try container.encode(listenSubscribers, forKey: .listenSubscribers)
        try container.encode(childrenUp, forKey: .childrenUp)
        try container.encode(children, forKey: .children)
        try container.encode(nginx, forKey: .nginx)
        try container.encode(nginxUp, forKey: .nginxUp)
    }

    /// Figures between scrapes `earlier` and `later`, taken `seconds` apart.
    public init(from earlier: MetricSamples, to later: MetricSamples, seconds: Double) {
        let interval = max(seconds, 0.001)
        func rate(_ name: String, _ labels: [String: String] = [:]) -> Double {
            max(0, later.sum(name, where: labels) - earlier.sum(name, where: labels)) / interval
        }
        callsPerSecond = rate("portico_requests_total", ["method": "tools/call"])
        requestsPerSecond = rate("portico_requests_total")
        errorsPerSecond = rate("portico_requests_total", ["outcome": "error"]) + rate("portico_requests_total", ["outcome": "tool_error"])
        let before = Dictionary(earlier.buckets("portico_tool_duration_seconds").map { ($0.upperBound, $0.count) }, uniquingKeysWith: +)
        let delta = later.buckets("portico_tool_duration_seconds").map { ($0.upperBound, max(0, $0.count - (before[$0.upperBound] ?? 0))) }
        p50Milliseconds = Self.quantile(0.5, delta).map { $0 * 1_000 }
        p99Milliseconds = Self.quantile(0.99, delta).map { $0 * 1_000 }
        openStreams = later.byLabel("portico_open_streams", "kind").mapValues { Int($0) }
        sessions = Int(later.sum("portico_sessions"))
        listenSubscribers = Int(later.sum("portico_listen_subscribers"))
        childrenUp = later.byLabel("portico_bridge_children_up", "source").mapValues { Int($0) }
        children = later.byLabel("portico_bridge_children", "source").mapValues { Int($0) }
        nginxUp = later.value("portico_nginx_up").map { $0 == 1 }
        var nginx: [String: Int] = [:]
        for state in ["active", "reading", "writing", "waiting"] {
            if let value = later.value("portico_nginx_connections_\(state)") { nginx[state] = Int(value) }
        }
        self.nginx = nginx
    }

    /// The `q` quantile of cumulative buckets, interpolated linearly inside its bucket (as
    /// PromQL's `histogram_quantile` does); `nil` when the buckets hold nothing.
    static func quantile(_ q: Double, _ buckets: [(upperBound: Double, count: Double)]) -> Double? {
        guard let total = buckets.last?.count, total > 0 else { return nil }
        let rank = q * total
        var lowerBound = 0.0
        var lowerCount = 0.0
        for (upperBound, count) in buckets {
            if count >= rank {
                // Past the last finite bound there is nothing to interpolate towards.
                guard upperBound.isFinite else { return lowerBound }
                let inBucket = count - lowerCount
                return inBucket > 0 ? lowerBound + (upperBound - lowerBound) * (rank - lowerCount) / inBucket : upperBound
            }
            lowerBound = upperBound
            lowerCount = count
        }
        return lowerBound
    }
}
