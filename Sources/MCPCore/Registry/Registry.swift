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
        var tools = KeyedList<Tool>(key: \.name)
        var resources = KeyedList<Resource>(key: \.uri)
        var templates: [ResourceTemplate] = []
        var prompts = KeyedList<Prompt>(key: \.name)
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

    /// Applies `change` under the lock and notifies observers of `list` when it reports a change.
    private func update(_ list: List, _ change: (inout Contents) -> Bool) -> Bool {
        let changedList = contents.withLock { change(&$0) }
        if changedList { changed(list) }
        return changedList
    }

    // MARK: Tools

    /// Adds a tool; names must be unique and, per 2025-11-25, 1–128 characters of `[A-Za-z0-9_.-]`.
    public func register(_ tool: Tool) throws(RegistrationError) {
        guard Self.isValidToolName(tool.name) else {
            throw RegistrationError(description: "Tool name '\(tool.name)' must be 1-128 characters of A-Z, a-z, 0-9, '_', '-', '.'")
        }
        guard update(.tools, { $0.tools.insert(tool) }) else {
            throw RegistrationError(description: "A tool named '\(tool.name)' is already registered")
        }
    }

    @discardableResult
    public func removeTool(named name: String) -> Bool { update(.tools) { $0.tools.remove(key: name) } }

    public func tool(named name: String) -> Tool? { contents.withLock { $0.tools[name] } }

    public var tools: [Tool] { contents.withLock { $0.tools.elements } }

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
        guard update(.resources, { $0.resources.insert(resource) }) else {
            throw RegistrationError(description: "A resource with URI '\(resource.uri)' is already registered")
        }
    }

    public func register(_ template: ResourceTemplate) {
        _ = update(.resources) { contents in
            contents.templates.append(template)
            return true
        }
    }

    @discardableResult
    public func removeResource(uri: String) -> Bool { update(.resources) { $0.resources.remove(key: uri) } }

    /// Removes the template registered with exactly this URI template text.
    @discardableResult
    public func removeTemplate(uriTemplate: String) -> Bool {
        update(.resources) { contents in
            guard let index = contents.templates.firstIndex(where: { $0.template.text == uriTemplate }) else { return false }
            contents.templates.remove(at: index)
            return true
        }
    }

    // MARK: Prompts

    public func register(_ prompt: Prompt) throws(RegistrationError) {
        guard update(.prompts, { $0.prompts.insert(prompt) }) else {
            throw RegistrationError(description: "A prompt named '\(prompt.name)' is already registered")
        }
    }

    @discardableResult
    public func removePrompt(named name: String) -> Bool { update(.prompts) { $0.prompts.remove(key: name) } }
}
