public import CoreMetrics
import Synchronization

/// The protocol engine's figures: requests by era, method, tool and outcome, and latency per
/// method and per tool.
///
/// Every handle is made here, once: the per-method ones up front, a tool's on the first call
/// of a registered tool. A request costs a table lookup, an atomic add and a histogram
/// update, never a registry lookup. Names that are not registered methods or tools share
/// the label `other`, so a client cannot grow the number of series.
public final class ServerMetrics: Sendable {
    /// Methods with series of their own; anything else is `other`.
    public static let methods: [String] = [
        "initialize", "ping", "server/discover",
        "tools/list", "tools/call", "resources/list", "resources/templates/list", "resources/read",
        "resources/subscribe", "resources/unsubscribe", "prompts/list", "prompts/get", "completion/complete",
        "logging/setLevel", "tasks/get", "tasks/update", "tasks/cancel", "tasks/result", "tasks/list",
        "subscriptions/listen", "other",
    ]
    static let methodIndex: [String: Int] = Dictionary(uniqueKeysWithValues: methods.enumerated().map { ($1, $0) })
    static let otherIndex = methods.count - 1
    static let toolsCallIndex = methodIndex["tools/call"]!
    static let eras = RequestEra.allCases.count
    static let outcomes = RequestOutcome.allCases.count

    /// Handles of one tool: a counter per era and outcome, and its latency.
    struct ToolHandles: Sendable {
        let requests: [Counter]
        let duration: Timer
    }

    private let factory: any MetricsFactory
    /// `[method][era][outcome]`, flattened; `nil` at `tools/call`, which is counted per tool.
    private let requests: [Counter?]
    private let durations: [Timer]
    private let tools = Mutex<[String: ToolHandles]>([:])
    private let unknownTool: ToolHandles

    public static let requestsLabel = "portico_requests_total"
    public static let requestDurationLabel = "portico_request_duration_seconds"
    public static let toolDurationLabel = "portico_tool_duration_seconds"

    public init(factory: any MetricsFactory) {
        self.factory = factory
        var requests: [Counter?] = []
        var durations: [Timer] = []
        for method in Self.methods {
            durations.append(Timer(label: Self.requestDurationLabel, dimensions: [("method", method)], factory: factory))
            requests += method == "tools/call"
                ? Array(repeating: nil, count: Self.eras * Self.outcomes)
                : Self.requestCounters(method: method, tool: "", factory: factory)
        }
        self.requests = requests
        self.durations = durations
        unknownTool = Self.toolHandles(for: "other", factory: factory)
    }

    private static func toolHandles(for tool: String, factory: any MetricsFactory) -> ToolHandles {
        ToolHandles(
            requests: requestCounters(method: "tools/call", tool: tool, factory: factory),
            duration: Timer(label: toolDurationLabel, dimensions: [("tool", tool)], factory: factory))
    }

    /// One counter per era and outcome, in `[era][outcome]` order.
    private static func requestCounters(method: String, tool: String, factory: any MetricsFactory) -> [Counter] {
        RequestEra.allCases.flatMap { era in
            RequestOutcome.allCases.map { outcome in
                Counter(
                    label: requestsLabel, dimensions: [("era", era.label), ("method", method), ("tool", tool), ("outcome", outcome.label)],
                    factory: factory)
            }
        }
    }

    /// Counts one finished request and its handling time.
    /// - Parameter tool: the registered tool a `tools/call` named; `nil` for other methods or unknown tools.
    /// - Parameter duration: handling time; `nil` for requests that have none (a listen stream opening).
    public func record(method: String, tool: String?, era: RequestEra, outcome: RequestOutcome, duration: Duration?) {
        let nanoseconds = duration?.nanoseconds
        let method = Self.methodIndex[method] ?? Self.otherIndex
        if let nanoseconds { durations[method].recordNanoseconds(nanoseconds) }
        let slot = era.rawValue * Self.outcomes + outcome.rawValue
        if method == Self.toolsCallIndex {
            let handles = tool.map(handles(forTool:)) ?? unknownTool
            handles.requests[slot].increment()
            if let nanoseconds { handles.duration.recordNanoseconds(nanoseconds) }
        } else {
            requests[method * Self.eras * Self.outcomes + slot]?.increment()
        }
    }

    private func handles(forTool name: String) -> ToolHandles {
        if let handles = tools.withLock({ $0[name] }) { return handles }
        // Made outside the lock: the factory takes its own.
        let made = Self.toolHandles(for: name, factory: factory)
        return tools.withLock { tools in
            if let existing = tools[name] { return existing }
            tools[name] = made
            return made
        }
    }
}
