/// The complete, typed contents of `portico.yaml`.
///
/// Every field has a default, so an empty or missing file yields a server that runs safely on loopback;
/// operators only write the keys they want to change. Use ``load(contentsOf:)`` or ``decode(yaml:source:)``
/// rather than a bare `YAMLDecoder` so that unknown keys and bad values are reported with line numbers.
public struct PorticoConfiguration: Codable, Sendable, Equatable {
    /// How and where the HTTP endpoint listens.
    public var server: Server
    /// Resource ceilings that protect the process from abusive or runaway clients.
    public var limits: Limits
    /// How much the server logs and in which shape.
    public var logging: Logging
    /// Which built-in tool packs are exposed to clients.
    public var tools: Tools
    /// Long-lived SSE streams: keep-alives, resumability, listeners, the 2024-11-05 endpoints.
    public var streams: Streams
    /// Sealing of 2026-07-28 multi-round-trip `requestState`.
    public var requestState: RequestState
    /// The task store of the 2026-07-28 tasks extension.
    public var tasks: Tasks
    /// The nginx edge rendered by `portico edge` and `portico up`.
    public var edge: Edge
    /// Tools from outside Portico: stdio MCP servers, commands and folders.
    public var sources: Sources
    /// Who may call: OAuth bearer tokens, API keys, client certificates; scopes per tool.
    public var auth: Auth
    /// The Prometheus listener and what it reads from nginx.
    public var metrics: Metrics

    /// Creates a configuration; every argument defaults to the value used when `portico.yaml` omits it.
    public init(
        server: Server = Server(),
        limits: Limits = Limits(),
        logging: Logging = Logging(),
        tools: Tools = Tools(),
        streams: Streams = Streams(),
        requestState: RequestState = RequestState(),
        tasks: Tasks = Tasks(),
        edge: Edge = Edge(),
        sources: Sources = Sources(),
        auth: Auth = Auth(),
        metrics: Metrics = Metrics()
    ) {
        self.metrics = metrics
        self.auth = auth
        self.sources = sources
        self.edge = edge
        self.server = server
        self.limits = limits
        self.logging = logging
        self.tools = tools
        self.streams = streams
        self.requestState = requestState
        self.tasks = tasks
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case server
        case limits
        case logging
        case tools
        case streams
        case requestState = "request_state"
        case tasks
        case edge
        case sources
        case auth
        case metrics
    }

    /// Decodes a configuration, filling every absent or null key with its default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = PorticoConfiguration()
        server = try container.decodeValue(forKey: .server, default: defaults.server, in: decoder)
        limits = try container.decodeValue(forKey: .limits, default: defaults.limits, in: decoder)
        logging = try container.decodeValue(forKey: .logging, default: defaults.logging, in: decoder)
        tools = try container.decodeValue(forKey: .tools, default: defaults.tools, in: decoder)
        streams = try container.decodeValue(forKey: .streams, default: defaults.streams, in: decoder)
        requestState = try container.decodeValue(forKey: .requestState, default: defaults.requestState, in: decoder)
        tasks = try container.decodeValue(forKey: .tasks, default: defaults.tasks, in: decoder)
        edge = try container.decodeValue(forKey: .edge, default: defaults.edge, in: decoder)
        sources = try container.decodeValue(forKey: .sources, default: defaults.sources, in: decoder)
        auth = try container.decodeValue(forKey: .auth, default: defaults.auth, in: decoder)
        metrics = try container.decodeValue(forKey: .metrics, default: defaults.metrics, in: decoder)
    }
}
