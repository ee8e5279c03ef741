import Logging
import MCPCore
import PorticoConfig
import Synchronization

/// A folder served read-only: `search(query)` and `fetch(id)` in exactly the shapes ChatGPT's
/// connectors and deep research require (one text content item holding a JSON string), and
/// each file as a resource.
///
/// The index is built before the server listens and kept current by inotify plus a periodic
/// rescan; the resource list follows the index.
public final class FilesSource: Sendable {
    public let name: String
    let index: FolderIndex
    let baseURL: String?
    let publishResources: Bool
    let registry: Registry
    let logger: Logger
    /// What the registry lists: the index generation it reflects and each file's entry.
    private let listed = Mutex<(generation: UInt64?, documents: [String: IndexedDocument])>((nil, [:]))

    init(_ folder: PorticoConfiguration.Sources.Files, baseDirectory: String, registry: Registry, logger: Logger) throws {
        name = folder.name
        baseURL = folder.baseURL.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
        publishResources = folder.resources
        self.registry = registry
        self.logger = logger
        index = try FolderIndex(
            root: BridgeHost.resolve(folder.root, against: baseDirectory),
            options: FolderIndexOptions(maxFileBytes: folder.maxFileBytes))
        let prefix = folder.prefix ?? ""
        try registry.register(searchTool(named: prefix + "search"))
        try registry.register(fetchTool(named: prefix + "fetch"))
    }

    /// Indexes the folder; runs before the listener opens so the first search sees every file.
    func build() async {
        await index.build()
        syncResources()
        logger.info("files source indexed", metadata: ["mcp.source": "\(name)", "files": "\(index.count)"])
    }

    /// Watches the folder until cancelled, keeping the resource list in step with the index.
    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.index.watch() }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    self.syncResources()
                }
            }
        }
    }

    // MARK: Tools

    private func searchTool(named toolName: String) -> Tool {
        Tool(
            name: toolName, title: "Search \(name)",
            description: "Search the documents of '\(name)' by keywords. Returns matching document ids with titles, URLs and a snippet; read one with fetch.",
            inputSchema: [
                "type": "object", "properties": ["query": ["type": "string", "description": "Keywords to look for"]], "required": ["query"],
            ],
            annotations: ToolAnnotations(readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false)
        ) { arguments, _ in
            guard case .string(let query)? = arguments["query"] else {
                return .error("search needs a string 'query'")
            }
            let hits = self.index.search(query, limit: 10)
            let results: [JSONValue] = hits.map { hit in
                ["id": .string(hit.id), "title": .string(hit.title), "url": .string(self.url(for: hit.id)), "text": .string(hit.snippet)]
            }
            return Self.single(["results": .array(results)])
        }
    }

    private func fetchTool(named toolName: String) -> Tool {
        Tool(
            name: toolName, title: "Fetch from \(name)",
            description: "Read one document of '\(name)' in full by the id search returned.",
            inputSchema: [
                "type": "object", "properties": ["id": ["type": "string", "description": "A document id from search"]], "required": ["id"],
            ],
            annotations: ToolAnnotations(readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false)
        ) { arguments, _ in
            guard case .string(let id)? = arguments["id"] else {
                return .error("fetch needs a string 'id'")
            }
            do {
                let document = try self.index.fetch(id: id)
                return Self.single([
                    "id": .string(document.id), "title": .string(document.title), "text": .string(document.text),
                    "url": .string(self.url(for: document.id)), "metadata": ["source": .string(self.name), "size": .number(JSONNumber(document.size))],
                ])
            } catch {
                return .error("\(error)")
            }
        }
    }

    /// Exactly one text content item whose text is the JSON object (ChatGPT's search/fetch
    /// contract), with the same object as `structuredContent`.
    private static func single(_ object: JSONObject) -> ToolResult {
        let value = JSONValue.object(object)
        return ToolResult(content: [.text(value.jsonString)], structuredContent: value)
    }

    // MARK: Resources

    func resourceURI(for id: String) -> String { "files://\(name)/\(Self.percentEncoded(id))" }

    func url(for id: String) -> String {
        guard let baseURL else { return resourceURI(for: id) }
        return baseURL + Self.percentEncoded(id)
    }

    /// Adds and removes resources so the list matches the index.
    func syncResources() {
        guard publishResources else { return }
        let generation = index.generation
        guard listed.withLock({ $0.generation != generation }) else { return }
        let documents = index.documents
        let (added, removed) = listed.withLock { listed -> ([IndexedDocument], [String]) in
            let wanted = Dictionary(documents.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            // A changed file is listed again, so its size is current.
            let removed = listed.documents.compactMap { id, entry in wanted[id] == entry ? nil : id }
            let added = documents.filter { listed.documents[$0.id] != $0 }
            listed = (generation, wanted)
            return (added, removed)
        }
        for id in removed { registry.removeResource(uri: resourceURI(for: id)) }
        for document in added {
            let uri = resourceURI(for: document.id)
            let id = document.id
            try? registry.register(Resource(uri: uri, name: document.id, title: document.title, mimeType: "text/plain", size: document.size) { _ in
                do {
                    return [ResourceContents(uri: uri, mimeType: "text/plain", text: try self.index.fetch(id: id).text)]
                } catch {
                    throw MCPError(code: .resourceNotFound, message: "\(error)", data: ["uri": .string(uri)])
                }
            })
        }
    }

    /// Keeps the path separators and unreserved characters (RFC 3986 §2.3); escapes the rest.
    static func percentEncoded(_ id: String) -> String {
        var encoded = ""
        for byte in id.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                encoded += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
            }
        }
        return encoded
    }
}
