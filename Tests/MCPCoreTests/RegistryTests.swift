import MCPCore
import Synchronization
import Testing

/// Records every change a registry reports, in order.
final class ChangeRecorder: Sendable {
    private let lists = Mutex<[Registry.List]>([])

    init(_ registry: Registry) {
        registry.observeChanges { [self] list in lists.withLock { $0.append(list) } }
    }

    var recorded: [Registry.List] { lists.withLock { $0 } }
}

func makeTool(_ name: String, description: String? = nil) -> Tool {
    Tool(name: name, description: description) { _, _ in .text(name) }
}

func makePrompt(_ name: String, arguments: [Prompt.Argument] = []) -> Prompt {
    Prompt(name: name, arguments: arguments) { _, _ in Prompt.Result(messages: [.user(name)]) }
}

@Suite("Registry")
struct RegistryTests {
    @Test("tool names outside 1-128 characters of [A-Za-z0-9_.-] are refused", arguments: [
        "", String(repeating: "a", count: 129), "get weather", "fs/read", "naïve", "tool:1", "a\tb", "emoji😀", "semi;colon",
    ])
    func refusesInvalidToolName(_ name: String) {
        let registry = Registry()
        let changes = ChangeRecorder(registry)
        #expect(throws: Registry.RegistrationError.self) { try registry.register(makeTool(name)) }
        #expect(registry.tools.isEmpty)
        #expect(changes.recorded.isEmpty)
    }

    @Test("tool names of 1-128 allowed characters are accepted", arguments: [
        "a", String(repeating: "z", count: 128), "get_weather", "ns.tool-v2", "ABC123", "-._",
    ])
    func acceptsValidToolName(_ name: String) throws {
        let registry = Registry()
        try registry.register(makeTool(name))
        #expect(registry.tool(named: name)?.name == name)
    }

    @Test("a second tool with the same name is refused and the first one kept")
    func refusesDuplicateTool() throws {
        let registry = Registry()
        try registry.register(makeTool("echo", description: "first"))
        let changes = ChangeRecorder(registry)
        let error = #expect(throws: Registry.RegistrationError.self) { try registry.register(makeTool("echo", description: "second")) }
        #expect(error?.description.contains("echo") == true)
        #expect(registry.tools.map(\.description) == ["first"])
        #expect(changes.recorded.isEmpty)
    }

    @Test("a second resource with the same URI and a second prompt with the same name are refused")
    func refusesDuplicateResourceAndPrompt() throws {
        let registry = Registry()
        try registry.register(Resource.text(uri: "mem://a", name: "a", "one"))
        try registry.register(makePrompt("greet"))
        #expect(throws: Registry.RegistrationError.self) { try registry.register(Resource.text(uri: "mem://a", name: "b", "two")) }
        #expect(throws: Registry.RegistrationError.self) { try registry.register(makePrompt("greet")) }
    }

    @Test("tools keep registration order and removal keeps the rest findable")
    func removesTool() throws {
        let registry = Registry()
        for name in ["a", "b", "c", "d"] { try registry.register(makeTool(name)) }
        #expect(registry.removeTool(named: "b"))
        #expect(!registry.removeTool(named: "b"))
        #expect(!registry.removeTool(named: "never"))
        #expect(registry.tools.map(\.name) == ["a", "c", "d"])
        #expect(registry.tool(named: "b") == nil)
        #expect(registry.tool(named: "c")?.name == "c")
        #expect(registry.tool(named: "d")?.name == "d")
        try registry.register(makeTool("b"))
        #expect(registry.tools.map(\.name) == ["a", "c", "d", "b"])
        #expect(registry.tool(named: "b")?.name == "b")
    }

    @Test("resources and prompts can be removed once")
    func removesResourceAndPrompt() throws {
        let registry = Registry()
        try registry.register(Resource.text(uri: "mem://a", name: "a", "one"))
        try registry.register(makePrompt("greet"))
        #expect(registry.removeResource(uri: "mem://a"))
        #expect(!registry.removeResource(uri: "mem://a"))
        #expect(registry.removePrompt(named: "greet"))
        #expect(!registry.removePrompt(named: "greet"))
        try registry.register(Resource.text(uri: "mem://a", name: "a", "again"))
        try registry.register(makePrompt("greet"))
    }

    @Test("observers hear each change once, naming the list that changed")
    func reportsChanges() throws {
        let registry = Registry()
        let first = ChangeRecorder(registry)
        let second = ChangeRecorder(registry)
        try registry.register(makeTool("t"))
        try registry.register(Resource.text(uri: "mem://r", name: "r", "x"))
        registry.register(ResourceTemplate(uriTemplate: "mem://{id}", name: "items") { _, _, _ in [] })
        try registry.register(makePrompt("p"))
        _ = try? registry.register(makeTool("t"))  // refused: no change
        _ = try? registry.register(makeTool(""))  // refused: no change
        registry.removeTool(named: "t")
        registry.removeTool(named: "t")  // already gone: no change
        registry.removeResource(uri: "mem://r")
        registry.removeResource(uri: "mem://missing")
        registry.removePrompt(named: "p")
        registry.removePrompt(named: "missing")
        let expected: [Registry.List] = [.tools, .resources, .resources, .prompts, .tools, .resources, .prompts]
        #expect(first.recorded == expected)
        #expect(second.recorded == expected)
    }
}
