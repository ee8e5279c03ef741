import Logging
import MCPCore
import Synchronization

/// A stdio source's tools, resources and prompts as published in Portico's registry.
///
/// Fetched after each child's handshake and on the child's `list_changed`; entries are
/// replaced only when they changed, so a restart does not make every client re-list.
final class SourceCatalog: Sendable {
    private struct Published {
        var tools: [String: JSONValue] = [:]
        var resources: [String: JSONValue] = [:]
        var prompts: [String: JSONValue] = [:]
        var templates: [String: JSONValue] = [:]
        var capabilities: JSONObject = [:]
        var problems: [Registry.List: [String]] = [:]
    }

    let source: String
    let prefix: String
    let registry: Registry
    let owners: ToolOwners
    let logger: Logger
    private let published = Mutex(Published())
    /// One refresh at a time, so two children starting together (or two quick
    /// `list_changed`) do not interleave their diffs.
    private let refreshing = Mutex(false)
    private let refreshDone = ChangeSignal()

    init(source: String, prefix: String, registry: Registry, owners: ToolOwners, logger: Logger) {
        self.source = source
        self.prefix = prefix
        self.registry = registry
        self.owners = owners
        self.logger = logger
    }

    private var owner: String { "stdio source '\(source)'" }

    /// Refreshes every list the server offers, after a handshake.
    func refresh(from connection: ChildConnection, initialized: JSONObject, source stdio: StdioSource) async throws {
        let capabilities = initialized["capabilities"]?.objectValue ?? [:]
        published.withLock { $0.capabilities = capabilities }
        for list in Registry.List.allCases { try await refresh(list, from: connection, source: stdio) }
    }

    func refresh(_ list: Registry.List, from connection: ChildConnection, source stdio: StdioSource) async throws {
        _ = try await refreshDone.wait { () -> Bool? in
            refreshing.withLock { busy in
                if busy { return nil }
                busy = true
                return true
            }
        }
        defer {
            refreshing.withLock { $0 = false }
            refreshDone.signal()
        }
        let capabilities = published.withLock { $0.capabilities }
        guard capabilities[list.rawValue] != nil else {
            // A capability the restarted server no longer offers takes its entries with it.
            apply(list, entries: [], source: stdio)
            if list == .resources {
                for text in published.withLock({ $0.templates.keys }) { registry.removeTemplate(uriTemplate: text) }
                published.withLock { $0.templates = [:] }
            }
            return
        }
        let (method, key) = switch list {
        case .tools: ("tools/list", "tools")
        case .resources: ("resources/list", "resources")
        case .prompts: ("prompts/list", "prompts")
        }
        let entries: [JSONObject]
        do {
            entries = try await Self.listAll(method, key: key, from: connection)
        } catch let error as MCPError {
            // A server that offers a capability but fails its list keeps what was published;
            // restarting it would not help.
            logger.warning("\(method) failed; keeping the published list", metadata: ["mcp.source": "\(source)", "error": "\(error)"])
            return
        }
        apply(list, entries: entries, source: stdio)
        if list == .resources { await refreshTemplates(from: connection, source: stdio) }
    }

    /// Every page of a `*/list` method (bounded at 1,000 pages), the entries under `key`.
    private static func listAll(_ method: String, key: String, from connection: ChildConnection) async throws -> [JSONObject] {
        var entries: [JSONObject] = []
        var cursor: JSONValue?
        for _ in 0..<1_000 {
            var params: JSONObject = [:]
            if let cursor { params["cursor"] = cursor }
            let page = try await connection.request(method, params: params, timeout: .seconds(30))
            entries += page.objectValue?[key]?.arrayValue?.compactMap(\.objectValue) ?? []
            cursor = page.objectValue?["nextCursor"]
            if cursor == nil || cursor == .null { break }
        }
        return entries
    }

    /// Whether the server answers `completion/complete` (2025-03-26 `completions` capability).
    var offersCompletions: Bool { published.withLock { $0.capabilities["completions"] != nil } }

    /// `resources/templates/list`, mirrored like the other lists (caller holds the refresh turn).
    private func refreshTemplates(from connection: ChildConnection, source stdio: StdioSource) async {
        let entries: [JSONObject]
        do {
            entries = try await Self.listAll("resources/templates/list", key: "resourceTemplates", from: connection)
        } catch {
            logger.warning("resources/templates/list failed; keeping the published templates", metadata: ["mcp.source": "\(source)", "error": "\(error)"])
            return
        }
        var wanted: [String: JSONObject] = [:]
        for entry in entries {
            if let text = entry["uriTemplate"]?.stringValue, wanted[text] == nil { wanted[text] = entry }
        }
        let current = published.withLock { $0.templates }
        var next: [String: JSONValue] = [:]
        for (text, entry) in current where wanted[text] != entry.objectValue {
            registry.removeTemplate(uriTemplate: text)
        }
        for entry in entries {
            guard let text = entry["uriTemplate"]?.stringValue, wanted[text] == entry, next[text] == nil else { continue }
            if current[text] != .object(entry) { registry.register(BridgedEntries.template(entry, source: stdio)) }
            next[text] = .object(entry)
        }
        published.withLock { $0.templates = next }
    }

    private func apply(_ list: Registry.List, entries: [JSONObject], source stdio: StdioSource) {
        var wanted: [String: JSONObject] = [:]
        var order: [String] = []
        for entry in entries {
            let key: String? = switch list {
            case .tools, .prompts: entry["name"]?.stringValue.map { prefix + $0 }
            case .resources: entry["uri"]?.stringValue
            }
            guard let key, wanted[key] == nil else { continue }
            wanted[key] = entry
            order.append(key)
        }
        var problems: [String] = []
        let current = published.withLock { published in
            switch list {
            case .tools: published.tools
            case .resources: published.resources
            case .prompts: published.prompts
            }
        }
        for (key, _) in current where wanted[key] == nil {
            remove(list, key)
        }
        var next: [String: JSONValue] = [:]
        for key in order {
            guard let entry = wanted[key] else { continue }
            if current[key] == .object(entry) {
                next[key] = .object(entry)
                continue
            }
            if current[key] != nil { remove(list, key) }
            if let earlier = owners.claim(Self.ownerKey(list, key), for: owner) {
                if list == .resources {
                    // URIs are global names, not namespaced by a prefix: two copies of one server
                    // (with different prefixes) share them, so the first keeps the URI.
                    logger.warning("resource \(key) of \(owner) is already published by \(earlier); the first one stays")
                } else {
                    problems.append("\(list == .tools ? "tool" : "prompt") name '\(key)' of \(owner) clashes with \(earlier); set a prefix on one of them")
                }
                continue
            }
            do {
                try register(list, key: key, entry: entry, source: stdio)
                next[key] = .object(entry)
            } catch {
                problems.append("\(owner): \(error)")
            }
        }
        published.withLock { published in
            switch list {
            case .tools: published.tools = next
            case .resources: published.resources = next
            case .prompts: published.prompts = next
            }
        }
        published.withLock { $0.problems[list] = problems }
        for problem in problems { logger.error("\(problem)", metadata: ["mcp.source": "\(source)"]) }
    }

    /// Names that could not be published (clashes), from the latest refresh of each list.
    var problems: [String] {
        published.withLock { published in Registry.List.allCases.flatMap { published.problems[$0] ?? [] } }
    }

    private func remove(_ list: Registry.List, _ key: String) {
        switch list {
        case .tools: registry.removeTool(named: key)
        case .resources: registry.removeResource(uri: key)
        case .prompts: registry.removePrompt(named: key)
        }
        owners.release(Self.ownerKey(list, key), for: owner)
    }

    /// Tools and prompts have separate name spaces, and resources are keyed by URI.
    static func ownerKey(_ list: Registry.List, _ key: String) -> String {
        switch list {
        case .tools: key
        case .resources: "resource " + key
        case .prompts: "prompt " + key
        }
    }

    private func register(_ list: Registry.List, key: String, entry: JSONObject, source stdio: StdioSource) throws {
        switch list {
        case .tools: try registry.register(BridgedEntries.tool(entry, name: key, source: stdio))
        case .resources: try registry.register(BridgedEntries.resource(entry, source: stdio))
        case .prompts: try registry.register(BridgedEntries.prompt(entry, name: key, source: stdio))
        }
    }
}
