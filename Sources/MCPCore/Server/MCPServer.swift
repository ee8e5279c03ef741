public import Logging

/// The protocol engine: answers MCP requests of both eras from one ``Registry``.
///
/// Transports hand it decoded requests plus a ``HandlerContext``; it returns the result
/// object or an ``MCPError``. It knows nothing about HTTP or processes.
public final class MCPServer: Sendable {
    /// Who the server says it is (`serverInfo`, spec `Implementation`).
    public struct Info: Sendable {
        public var name: String
        public var version: String
        public var title: String?
        public var description: String?
        public var websiteURL: String?
        /// Guidance for the model (`instructions` in `initialize` / `server/discover`).
        public var instructions: String?

        public init(name: String, version: String, title: String? = nil, description: String? = nil, websiteURL: String? = nil, instructions: String? = nil) {
            self.name = name
            self.version = version
            self.title = title
            self.description = description
            self.websiteURL = websiteURL
            self.instructions = instructions
        }

        func json(for version: ProtocolVersion) -> JSONValue {
            var object: JSONObject = ["name": .string(name), "version": .string(self.version)]
            if version >= .v2025_06_18, let title { object["title"] = .string(title) }
            if version >= .v2025_11_25 {
                if let description { object["description"] = .string(description) }
                if let websiteURL { object["websiteUrl"] = .string(websiteURL) }
            }
            return .object(object)
        }
    }

    public struct Options: Sendable {
        /// Entries per page of `tools/list`, `resources/list`, … .
        public var pageSize: Int
        /// `ttlMs` on cacheable 2026-07-28 list and discover results.
        public var listCacheTTLMilliseconds: Int
        /// Scopes per tool, prompt and resource; lists are filtered by it.
        public var access: AccessPolicy

        public init(pageSize: Int = 100, listCacheTTLMilliseconds: Int = 60_000, access: AccessPolicy = .open) {
            self.pageSize = max(1, pageSize)
            self.listCacheTTLMilliseconds = listCacheTTLMilliseconds
            self.access = access
        }
    }

    public let info: Info
    public let options: Options
    public let registry: Registry
    public let sessions: SessionStore
    /// Open 2026-07-28 `subscriptions/listen` streams.
    public let listeners: ListenerHub
    let cursors: CursorCodec
    /// Seals 2026-07-28 `requestState`.
    let requestStates: RequestStateSealer
    /// Tasks of the `io.modelcontextprotocol/tasks` extension.
    public let tasks: TaskStore
    let logger: Logger
    /// `serverInfo` as every 2026-07-28 result carries it, built once.
    let modernServerInfo: JSONValue
    /// Request counts and latencies; `nil` when metrics are off, which skips the clock reads too.
    public let metrics: ServerMetrics?

    public init(
        info: Info, registry: Registry = Registry(), sessions: SessionStore = SessionStore(), listeners: ListenerHub = ListenerHub(),
        requestStates: RequestStateSealer = RequestStateSealer(), tasks: TaskStore = TaskStore(),
        options: Options = Options(), metrics: ServerMetrics? = nil, logger: Logger = Logger(label: "portico.mcp")
    ) {
        self.metrics = metrics
        self.requestStates = requestStates
        self.tasks = tasks
        self.info = info
        self.registry = registry
        self.sessions = sessions
        self.listeners = listeners
        self.options = options
        self.cursors = CursorCodec()
        self.logger = logger
        self.modernServerInfo = info.json(for: .v2026_07_28)
        observeRegistry()
    }

    /// Capabilities, declared only for what is registered (lifecycle §Capability Negotiation).
    public func capabilities(for version: ProtocolVersion) -> JSONObject {
        let contents = registry.snapshot
        var capabilities = JSONObject()
        if !version.isModern { capabilities["logging"] = [:] }
        if !contents.prompts.isEmpty || !contents.templates.isEmpty { capabilities["completions"] = [:] }
        if !contents.prompts.isEmpty { capabilities["prompts"] = ["listChanged": true] }
        if !contents.resources.isEmpty || !contents.templates.isEmpty {
            capabilities["resources"] = ["subscribe": true, "listChanged": true]
        }
        if !contents.tools.isEmpty { capabilities["tools"] = ["listChanged": true] }
        if contents.tools.elements.contains(where: { ($0.execution?.taskSupport ?? .forbidden) != .forbidden }) {
            if version.isModern {
                capabilities["extensions"] = [TasksExtension.identifier: [:]]
            } else if version >= .v2025_11_25 {
                capabilities["tasks"] = ["list": [:], "cancel": [:], "requests": ["tools": ["call": [:]]]]
            }
        }
        return capabilities
    }

    // MARK: Legacy lifecycle

    /// Handles `initialize`: negotiates the version and opens a session.
    /// - SeeAlso: spec basic/lifecycle (2025-03-26 … 2025-11-25).
    /// - Parameter versions: the versions this transport serves (the HTTP+SSE transport adds 2024-11-05).
    /// - Parameter principal: who initialized; the session answers only to the same principal.
    public func initialize(
        _ request: JSONRPCRequest, versions: [ProtocolVersion] = ProtocolVersion.legacy, principal: Principal? = nil
    ) throws(MCPError) -> (Session, JSONObject) {
        guard let metrics else { return try openSession(request, versions: versions, principal: principal) }
        let start = ContinuousClock.now
        // Only the HTTP+SSE transport offers 2024-11-05: its sessions count there whatever they negotiate.
        let era: RequestEra = versions.contains(.v2024_11_05) ? .httpSSE : .session
        do {
            let opened = try openSession(request, versions: versions, principal: principal)
            metrics.record(method: request.method, tool: nil, era: era, outcome: .ok, duration: ContinuousClock.now - start)
            return opened
        } catch {
            metrics.record(method: request.method, tool: nil, era: era, outcome: .error, duration: ContinuousClock.now - start)
            throw error
        }
    }

    private func openSession(
        _ request: JSONRPCRequest, versions: [ProtocolVersion], principal: Principal?
    ) throws(MCPError) -> (Session, JSONObject) {
        guard case .string(let requested)? = request.params["protocolVersion"] else {
            throw .invalidParams("initialize: 'protocolVersion' must be a string")
        }
        let capabilities = request.params["capabilities"]?.objectValue ?? [:]
        let version = ProtocolVersion.negotiate(requested: requested, among: versions)
        guard let session = sessions.create(
            protocolVersion: version, clientCapabilities: capabilities, clientInfo: request.params["clientInfo"]?.objectValue, owner: principal?.id) else {
            throw MCPError(code: .internalError, message: "Too many sessions; try again later", httpStatus: 503)
        }
        var result: JSONObject = [
            "protocolVersion": .string(version.rawValue),
            "capabilities": .object(self.capabilities(for: version)),
            "serverInfo": info.json(for: version),
        ]
        if let instructions = info.instructions { result["instructions"] = .string(instructions) }
        return (session, result)
    }

    // MARK: Dispatch

    /// Answers one request. Modern results gain `resultType`, `serverInfo` and caching fields here.
    public func handle(_ request: JSONRPCRequest, context: HandlerContext) async -> Result<JSONObject, MCPError> {
        await handle(request, context: context, settle: { _ in nil })
    }

    /// Answers one request; `settle` may replace the outcome before it is counted and returned.
    ///
    /// A transport that cancels a call itself (a deadline) answers it with what it chooses;
    /// the metrics count that answer, not the cancellation behind it.
    public func handle(
        _ request: JSONRPCRequest, context: HandlerContext, settle: (Result<JSONObject, MCPError>) -> Result<JSONObject, MCPError>?
    ) async -> Result<JSONObject, MCPError> {
        guard let metrics else {
            let outcome = await dispatch(request, context: context)
            return settle(outcome).map { decorateSettled($0, context: context) } ?? outcome
        }
        let start = ContinuousClock.now
        let dispatched = await dispatch(request, context: context)
        let settled = settle(dispatched).map { decorateSettled($0, context: context) }
        let outcome = settled ?? dispatched
        let kind: RequestOutcome
        switch outcome {
        case .success(let result): kind = result["isError"] == .bool(true) ? .toolError : .ok
        case .failure: kind = settled == nil && Task.isCancelled ? .cancelled : .error
        }
        var tool: String?
        if request.method == "tools/call", case .string(let name)? = request.params["name"], registry.tool(named: name) != nil { tool = name }
        metrics.record(method: request.method, tool: tool, era: RequestEra(context), outcome: kind, duration: ContinuousClock.now - start)
        return outcome
    }

    private func dispatch(_ request: JSONRPCRequest, context: HandlerContext) async -> Result<JSONObject, MCPError> {
        let modern = context.protocolVersion.isModern
        do {
            var result: JSONObject
            var cacheable = false
            switch request.method {
            case "tools/list":
                result = try listTools(request, principal: context.principal)
                cacheable = true
            case "tools/call":
                result = try await callTool(request, context: context)
            case "resources/list":
                result = try listResources(request, principal: context.principal)
                cacheable = true
            case "resources/templates/list":
                result = try listResourceTemplates(request, principal: context.principal)
                cacheable = true
            case "resources/read":
                result = try await readResource(request, context: context)
                if modern, result["resultType"] == nil {
                    result["ttlMs"] = 0
                    result["cacheScope"] = "public"
                }
            case "prompts/list":
                result = try listPrompts(request, principal: context.principal)
                cacheable = true
            case "prompts/get":
                result = try await getPrompt(request, context: context)
            case "completion/complete":
                result = try await complete(request)
            case "tasks/get" where modern, "tasks/update" where modern, "tasks/cancel" where modern:
                result = try taskRequest(request, context: context)
            case "tasks/get" where !modern, "tasks/result" where !modern, "tasks/list" where !modern, "tasks/cancel" where !modern:
                result = try await legacyTaskRequest(request, context: context)
            case "server/discover" where modern:
                result = discover()
                cacheable = true
            case "ping" where !modern:
                result = [:]
            case "logging/setLevel" where !modern:
                result = try setLogLevel(request, session: context.session)
            case "resources/subscribe" where !modern, "resources/unsubscribe" where !modern:
                result = try subscription(request, session: context.session)
            default:
                throw MCPError.methodNotFound(request.method)
            }
            guard modern else { return .success(result) }
            if cacheable {
                result["ttlMs"] = .number(JSONNumber(options.listCacheTTLMilliseconds))
                // Lists filtered per principal must not be shared by caches between users.
                let filtered = request.method != "server/discover" && context.principal != nil && options.access.hidesForbidden && !options.access.isUniform
                result["cacheScope"] = filtered ? "private" : "public"
            }
            return .success(decorateModern(result))
        } catch let error as MCPError {
            return .failure(error)
        } catch is CancellationError {
            return .failure(MCPError(code: .internalError, message: "Request cancelled"))
        } catch {
            logger.error("handler failed", metadata: ["mcp.method": "\(request.method)", "mcp.id": "\(request.id)", "error": "\(error)"])
            return .failure(.internalError("Internal error while handling \(request.method)"))
        }
    }

    /// A settled 2026-07-28 result carries `resultType` and `serverInfo` like any other.
    private func decorateSettled(_ outcome: Result<JSONObject, MCPError>, context: HandlerContext) -> Result<JSONObject, MCPError> {
        guard context.protocolVersion.isModern, case .success(let result) = outcome, result["resultType"] == nil else { return outcome }
        return .success(decorateModern(result))
    }

    /// Adds what every 2026-07-28 result carries: `resultType` and `serverInfo` in `_meta`.
    func decorateModern(_ result: JSONObject) -> JSONObject {
        var result = result
        if result["resultType"] == nil { result["resultType"] = "complete" }
        var meta = result["_meta"]?.objectValue ?? [:]
        meta[MetaKey.serverInfo] = modernServerInfo
        result["_meta"] = .object(meta)
        return result
    }

    /// `server/discover` (2026-07-28 server/discover).
    func discover() -> JSONObject {
        var result: JSONObject = [
            "supportedVersions": .array((ProtocolVersion.modern + ProtocolVersion.legacy.reversed()).map { .string($0.rawValue) }),
            "capabilities": .object(capabilities(for: .v2026_07_28)),
        ]
        if let instructions = info.instructions { result["instructions"] = .string(instructions) }
        return result
    }

    func setLogLevel(_ request: JSONRPCRequest, session: Session?) throws(MCPError) -> JSONObject {
        guard case .string(let name)? = request.params["level"], let level = LoggingLevel(rawValue: name) else {
            let allowed = LoggingLevel.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalidParams("logging/setLevel: 'level' must be one of \(allowed)")
        }
        session?.setLogLevel(level)
        return [:]
    }

    func subscription(_ request: JSONRPCRequest, session: Session?) throws(MCPError) -> JSONObject {
        guard case .string(let uri)? = request.params["uri"] else {
            throw .invalidParams("\(request.method): 'uri' must be a string")
        }
        guard let session else { return [:] }
        if request.method == "resources/unsubscribe" {
            session.unsubscribe(uri)
        } else if !session.subscribe(uri) {
            throw .invalidParams("resources/subscribe: this session already holds the maximum of \(session.maximumSubscriptions) subscriptions")
        }
        return [:]
    }

    // MARK: Pagination

    /// One page of a list result: `{key: [...], nextCursor?}`.
    /// `elements` without what `principal` may not use, when the policy hides such things.
    func visible<Element>(_ elements: [Element], to principal: Principal?, as item: (Element) -> AccessPolicy.Item) -> [Element] {
        guard principal != nil, options.access.hidesForbidden, !options.access.isUniform else { return elements }
        return elements.filter { !options.access.hides(item($0), from: principal) }
    }

    func listing<Element>(_ elements: [Element], key: String, request: JSONRPCRequest, entry: (Element) -> JSONValue) throws(MCPError) -> JSONObject {
        let (entries, next) = try page(elements, list: key, request: request, entry: entry)
        var result: JSONObject = [key: entries]
        if let next { result["nextCursor"] = .string(next) }
        return result
    }

    func page<Element>(_ elements: [Element], list: String, request: JSONRPCRequest, entry: (Element) -> JSONValue) throws(MCPError) -> (JSONValue, String?) {
        var offset = 0
        switch request.params["cursor"] {
        case .none, .some(.null): break
        case .some(.string(let cursor)):
            guard let decoded = cursors.decode(cursor, list: list), decoded <= elements.count else {
                throw .invalidParams("Invalid cursor for \(request.method)")
            }
            offset = decoded
        case .some(let other):
            throw .invalidParams("\(request.method): 'cursor' must be a string, got \(other.typeName)")
        }
        let end = min(elements.count, offset + options.pageSize)
        let entries = elements[offset..<end].map(entry)
        let next = end < elements.count ? cursors.encode(list: list, offset: end) : nil
        return (.array(entries), next)
    }
}
