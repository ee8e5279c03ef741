import MCPCore

extension ConformancePack {
    /// The tasks-extension fixtures the conformance suite's `tasks-*` scenarios call
    /// (reference behaviour: docs/notes/tasks-conformance.md §3).
    static var taskTools: [Tool] {
        [
            Tool(
                name: "greet", description: "Greets synchronously",
                inputSchema: ["type": "object", "properties": ["name": ["type": "string", "description": "Name to greet"]], "required": ["name"]]
            ) { arguments, _ in
                .text("Hello, \(arguments["name"]?.stringValue ?? "World")!")
            },
            Tool(
                name: "slow_compute", description: "Computes for `seconds` seconds; a task for clients with the tasks extension",
                inputSchema: [
                    "type": "object",
                    "properties": [
                        "seconds": ["type": "integer", "description": "How many seconds to compute (sleep)", "default": 3, "minimum": 0, "maximum": 600],
                        "label": ["type": "string", "description": "A label for the computation", "default": "default"],
                    ],
                ],
                execution: ToolExecution(taskSupport: .optional)
            ) { arguments, _ in
                let seconds = max(0, min(600, arguments["seconds"]?.numberValue?.int64Value ?? 0))
                let label = arguments["label"]?.stringValue ?? "default"
                guard seconds > 0 else { return .text("Computation \"\(label)\" completed instantly. Result: 42.") }
                for _ in 0..<seconds { try await Task.sleep(for: .seconds(1)) }
                return .text("Computation \"\(label)\" completed after \(seconds) seconds. Result: 42.")
            },
            Tool(name: "failing_job", description: "A task whose tool run fails (isError)", inputSchema: ["type": "object"], execution: ToolExecution(taskSupport: .required)) { _, _ in
                try await Task.sleep(for: .seconds(1))
                return .error("simulated failure: job crashed")
            },
            Tool(
                name: "protocol_error_job", description: "A task that ends in a JSON-RPC error", inputSchema: ["type": "object"],
                execution: ToolExecution(taskSupport: .required)
            ) { _, _ in
                try await Task.sleep(for: .milliseconds(500))
                throw MCPError.internalError("internal error: the job's worker crashed")
            },
            Tool(
                name: "confirm_delete", description: "A task that asks the user to confirm",
                inputSchema: ["type": "object", "properties": ["filename": ["type": "string", "default": "important.txt"]]],
                execution: ToolExecution(taskSupport: .required)
            ) { arguments, context in
                let filename = arguments["filename"]?.stringValue ?? "important.txt"
                let answer = try await context.input("confirm", confirmDeletion(filename))
                let confirmed = answer["action"]?.stringValue == "accept" && answer["content"]?["confirm"] == .bool(true)
                return .text(confirmed ? "deleted '\(filename)'" : "kept '\(filename)'")
            },
            Tool(name: "multi_input", description: "A task that asks two things at once", inputSchema: ["type": "object"], execution: ToolExecution(taskSupport: .required)) { _, context in
                let answers = try await context.inputs([
                    ("name", .elicitation(message: "Enter your name:", requestedSchema: nameSchema)),
                    ("confirm", .elicitation(message: "Confirm action?", requestedSchema: ["type": "object", "properties": ["confirm": ["type": "boolean"]]])),
                ])
                let name = answers["name"].flatMap(elicitedName) ?? ""
                let confirmed = answers["confirm"]?["content"]?["confirm"] == .bool(true)
                return .text("name=\"\(name)\" confirmed=\(confirmed)")
            },
            Tool(
                name: "test_tool_with_task", description: "Asks for a name synchronously, then continues as a task", inputSchema: ["type": "object"],
                execution: ToolExecution(taskSupport: .required, creation: .whenHandlerAsks)
            ) { _, context in
                let answer = try await context.input("user_name", .elicitation(message: "What is your name?", requestedSchema: nameSchema))
                await context.continueAsTask()
                try await Task.sleep(for: .milliseconds(50))
                return .text("Hello, \(elicitedName(answer) ?? "stranger")! (computed in task)")
            },
        ]
    }

    static func confirmDeletion(_ filename: String) -> InputRequest {
        .elicitation(
            message: "Delete '\(filename)'?",
            requestedSchema: ["type": "object", "properties": ["confirm": ["type": "boolean"]], "required": ["confirm"]])
    }
}
