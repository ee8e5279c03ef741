import Synchronization

/// The tools, resources, resource templates and prompts a server publishes.
///
/// Lists keep registration order, so every client sees the same deterministic order
/// (2026-07-28 tools §Listing). Changes at runtime bump the list and tell observers,
/// which the transports turn into `notifications/*/list_changed`.
public final class Registry: Sendable {
    /// Which list changed.
    public enum List: String, Sendable, CaseIterable {
        case tools, resources, prompts
    }

    public struct RegistrationError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    struct Contents: Sendable {
        var tools: [Tool] = []
        var toolIndex: [String: Int] = [:]
        var resources: [Resource] = []
        var resourceIndex: [String: Int] = [:]
        var templates: [ResourceTemplate] = []
        var prompts: [Prompt] = []
        var promptIndex: [String: Int] = [:]
    }

    private let contents = Mutex(Contents())
    private let observers = Mutex<[@Sendable (List) -> Void]>([])

    public init() {}

    /// Calls `observer` after every change to a list.
    public func observeChanges(_ observer: @escaping @Sendable (List) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    private func changed(_ list: List) {
        for observer in observers.withLock({ $0 }) { observer(list) }
    }

    var snapshot: Contents { contents.withLock { $0 } }

    // MARK: Tools

    /// Adds a tool; names must be unique and, per 2025-11-25, 1–128 characters of `[A-Za-z0-9_.-]`.
    public func register(_ tool: Tool) throws(RegistrationError) {
        guard Self.isValidToolName(tool.name) else {
            throw RegistrationError(description: "Tool name '\(tool.name)' must be 1-128 characters of A-Z, a-z, 0-9, '_', '-', '.'")
        }
        try contents.withLock { contents throws(RegistrationError) in
            guard contents.toolIndex[tool.name] == nil else {
                throw RegistrationError(description: "A tool named '\(tool.name)' is already registered")
            }
            contents.toolIndex[tool.name] = contents.tools.count
            contents.tools.append(tool)
        }
        changed(.tools)
    }

    @discardableResult
    public func removeTool(named name: String) -> Bool {
        let removed = contents.withLock { contents -> Bool in
            guard let index = contents.toolIndex[name] else { return false }
            contents.tools.remove(at: index)
            contents.toolIndex = Dictionary(uniqueKeysWithValues: contents.tools.enumerated().map { ($1.name, $0) })
            return true
        }
        if removed { changed(.tools) }
        return removed
    }

    public func tool(named name: String) -> Tool? {
        contents.withLock { contents in contents.toolIndex[name].map { contents.tools[$0] } }
    }

    public var tools: [Tool] { contents.withLock { $0.tools } }

    static func isValidToolName(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard (1...128).contains(utf8.count) else { return false }
        return utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."):
                true
            default: false
            }
        }
    }

    // MARK: Resources

    public func register(_ resource: Resource) throws(RegistrationError) {
        try contents.withLock { contents throws(RegistrationError) in
            guard contents.resourceIndex[resource.uri] == nil else {
                throw RegistrationError(description: "A resource with URI '\(resource.uri)' is already registered")
            }
            contents.resourceIndex[resource.uri] = contents.resources.count
            contents.resources.append(resource)
        }
        changed(.resources)
    }

    public func register(_ template: ResourceTemplate) {
        contents.withLock { $0.templates.append(template) }
        changed(.resources)
    }

    @discardableResult
    public func removeResource(uri: String) -> Bool {
        let removed = contents.withLock { contents -> Bool in
            guard let index = contents.resourceIndex[uri] else { return false }
            contents.resources.remove(at: index)
            contents.resourceIndex = Dictionary(uniqueKeysWithValues: contents.resources.enumerated().map { ($1.uri, $0) })
            return true
        }
        if removed { changed(.resources) }
        return removed
    }

    // MARK: Prompts

    public func register(_ prompt: Prompt) throws(RegistrationError) {
        try contents.withLock { contents throws(RegistrationError) in
            guard contents.promptIndex[prompt.name] == nil else {
                throw RegistrationError(description: "A prompt named '\(prompt.name)' is already registered")
            }
            contents.promptIndex[prompt.name] = contents.prompts.count
            contents.prompts.append(prompt)
        }
        changed(.prompts)
    }

    @discardableResult
    public func removePrompt(named name: String) -> Bool {
        let removed = contents.withLock { contents -> Bool in
            guard let index = contents.promptIndex[name] else { return false }
            contents.prompts.remove(at: index)
            contents.promptIndex = Dictionary(uniqueKeysWithValues: contents.prompts.enumerated().map { ($1.name, $0) })
            return true
        }
        if removed { changed(.prompts) }
        return removed
    }
}
