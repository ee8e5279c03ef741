import MCPCore
import Testing

@Suite("Tasks extension", .timeLimit(.minutes(1)))
struct MCPServerTaskTests {
    static let tasksCapability: JSONObject = ["extensions": [TasksExtension.identifier: [:]], "elicitation": [:]]

    /// A server whose tools wait on `gate` where the test needs to observe intermediate states.
    static func server(_ gate: AsyncStream<Void>? = nil) throws -> MCPServer {
        let registry = Registry()
        try registry.register(Tool(name: "instant", inputSchema: ["type": "object"], execution: ToolExecution(taskSupport: .optional)) { _, _ in
            .text("done")
        })
        try registry.register(Tool(name: "tool_error", inputSchema: ["type": "object"], execution: ToolExecution(taskSupport: .required)) { _, _ in
            .error("it broke")
        })
        try registry.register(Tool(name: "protocol_error", inputSchema: ["type": "object"], execution: ToolExecution(taskSupport: .required)) { _, _ in
            throw MCPError(code: .invalidParams, message: "bad thing")
        })
        try registry.register(Tool(name: "ask_two", inputSchema: ["type": "object"], execution: ToolExecution(taskSupport: .required)) { _, context in
            let answers = try await context.inputs([
                ("first", .elicitation(message: "1?", requestedSchema: ["type": "object"])),
                ("second", .elicitation(message: "2?", requestedSchema: ["type": "object"])),
            ])
            return .text("\(answers.keys.sorted())")
        })
        try registry.register(Tool(name: "forever", inputSchema: ["type": "object"], execution: ToolExecution(taskSupport: .required)) { _, _ in
            try await Task.sleep(for: .seconds(3600))
            return .text("never")
        })
        return makeServer(registry)
    }

    static func create(_ server: MCPServer, _ tool: String) async throws -> String {
        let created = try await server.call("tools/call", ["name": .string(tool)], version: .v2026_07_28, capabilities: tasksCapability).get()
        #expect(created["resultType"] == "task")
        #expect(created["requestState"] == nil && created["result"] == nil)
        return try #require(created["taskId"]?.stringValue)
    }

    /// Polls `tasks/get` until `done` holds (bounded: each poll yields; no sleeps).
    static func poll(_ server: MCPServer, _ id: String, until done: (JSONObject) -> Bool) async throws -> JSONObject {
        for _ in 0..<100_000 {
            let task = try await server.call("tasks/get", ["taskId": .string(id)], version: .v2026_07_28, capabilities: tasksCapability).get()
            if done(task) { return task }
            await Task.yield()
        }
        Issue.record("task \(id) never reached the expected state")
        return [:]
    }

    @Test("outcomes map to terminal states: result → completed (tool errors too), JSON-RPC error → failed", arguments: [
        ("instant", "completed", false), ("tool_error", "completed", true), ("protocol_error", "failed", false),
    ])
    func terminalStates(_ tool: String, _ status: String, _ isError: Bool) async throws {
        let server = try Self.server()
        let id = try await Self.create(server, tool)
        let task = try await Self.poll(server, id) { $0["status"]?.stringValue != "working" }
        #expect(task["status"]?.stringValue == status)
        if status == "completed" {
            #expect(task["result"]?["isError"] == (isError ? .bool(true) : nil))
        } else {
            #expect(task["error"]?["code"] == .number(JSONNumber(-32602)))
            #expect(task["result"] == nil)
        }
    }

    @Test("without the extension: optional tools answer synchronously, required ones are -32021 naming the extension")
    func withoutExtension() async throws {
        let server = try Self.server()
        let sync = try await server.call("tools/call", ["name": "instant"], version: .v2026_07_28).get()
        #expect(sync["resultType"] == "complete" && sync["taskId"] == nil)
        let refused = try #require(await server.call("tools/call", ["name": "forever"], version: .v2026_07_28).failureValue)
        #expect(refused.code == .missingRequiredClientCapability)
        #expect(refused.data?["requiredCapabilities"]?["extensions"]?[TasksExtension.identifier] != nil)
        for method in ["tasks/get", "tasks/update", "tasks/cancel"] {
            let error = try #require(await server.call(method, ["taskId": "x"], version: .v2026_07_28).failureValue)
            #expect(error.code == .missingRequiredClientCapability, "\(method)")
        }
    }

    @Test("input: both keys open at once; a partial answer leaves only the other; unknown keys are ignored")
    func partialInput() async throws {
        let server = try Self.server()
        let id = try await Self.create(server, "ask_two")
        let waiting = try await Self.poll(server, id) { $0["status"] == "input_required" }
        #expect(waiting["inputRequests"]?.objectValue?.keys.sorted() == ["first", "second"])
        let accept: JSONValue = ["action": "accept", "content": [:]]
        _ = try await server.call(
            "tasks/update", ["taskId": .string(id), "inputResponses": ["first": accept, "stranger": accept]], version: .v2026_07_28,
            capabilities: Self.tasksCapability
        ).get()
        let partial = try await server.call("tasks/get", ["taskId": .string(id)], version: .v2026_07_28, capabilities: Self.tasksCapability).get()
        #expect(partial["status"] == "input_required")
        #expect(partial["inputRequests"]?.objectValue?.keys.sorted() == ["second"])
        _ = try await server.call(
            "tasks/update", ["taskId": .string(id), "inputResponses": ["second": accept]], version: .v2026_07_28, capabilities: Self.tasksCapability
        ).get()
        let done = try await Self.poll(server, id) { $0["status"] == "completed" }
        #expect(firstText(done["result"]?.objectValue ?? [:]) == #"["first", "second"]"#)
    }

    @Test("cancel: the task is cancelled at once, its work stops, and a second cancel is still an ack")
    func cancels() async throws {
        let server = try Self.server()
        let id = try await Self.create(server, "forever")
        for _ in 0..<2 {
            let ack = try await server.call("tasks/cancel", ["taskId": .string(id)], version: .v2026_07_28, capabilities: Self.tasksCapability).get()
            #expect(ack["resultType"] == "complete" && ack["status"] == nil)
        }
        let task = try await server.call("tasks/get", ["taskId": .string(id)], version: .v2026_07_28, capabilities: Self.tasksCapability).get()
        #expect(task["status"] == "cancelled")
    }

    @Test("unknown task ids are -32602", arguments: ["tasks/get", "tasks/update", "tasks/cancel"])
    func unknownTask(_ method: String) async throws {
        let server = try Self.server()
        let error = try #require(
            await server.call(method, ["taskId": "nope", "inputResponses": [:]], version: .v2026_07_28, capabilities: Self.tasksCapability).failureValue)
        #expect(error.code == .invalidParams)
    }

    @Test("the store is bounded: finished tasks make room, running ones are never evicted")
    func boundedStore() async throws {
        let store = TaskStore(limits: .init(maximumTasks: 2))
        let registry = Registry()
        try registry.register(Tool(name: "forever", inputSchema: ["type": "object"], execution: ToolExecution(taskSupport: .required)) { _, _ in
            try await Task.sleep(for: .seconds(3600))
            return .text("never")
        })
        let server = MCPServer(info: .init(name: "t", version: "1"), registry: registry, tasks: store, logger: quietLogger)
        _ = try await Self.create(server, "forever")
        _ = try await Self.create(server, "forever")
        let refused = try #require(
            await server.call("tools/call", ["name": "forever"], version: .v2026_07_28, capabilities: Self.tasksCapability).failureValue)
        #expect(refused.httpStatus == 503)
        #expect(store.count == 2)
    }
}
