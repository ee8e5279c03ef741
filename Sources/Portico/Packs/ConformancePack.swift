public import MCPCore

/// The fixture the official MCP conformance suite expects (the "everything server"
/// contract), enabled only by `serve --fixture conformance`, never in production.
public enum ConformancePack {
    static let png1x1 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    static let wavSilence = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQAAAAA="

    public static func register(in server: MCPServer) throws {
        let registry = server.registry
        for tool in tools + triggerTools(server) + inputRequestTools + taskTools { try registry.register(tool) }
        try registry.register(Resource.text(
            uri: "test://static-text", name: "static-text", description: "A static text resource",
            "This is the content of the static text resource."))
        try registry.register(Resource(
            uri: "test://static-binary", name: "static-binary", description: "A static binary resource", mimeType: "image/png"
        ) { _ in
            [ResourceContents(uri: "test://static-binary", mimeType: "image/png", blob: png1x1)]
        })
        try registry.register(Resource.text(
            uri: "test://watched-resource", name: "watched-resource", description: "A resource clients may subscribe to",
            "Watched resource content."))
        registry.register(ResourceTemplate(
            uriTemplate: "test://template/{id}/data", name: "template-data", description: "Data for an id", mimeType: "application/json"
        ) { uri, variables, _ in
            let id = variables["id"] ?? ""
            let body: JSONValue = ["id": .string(id), "templateTest": true, "data": .string("Data for ID: \(id)")]
            return [ResourceContents(uri: uri, mimeType: "application/json", text: body.jsonString)]
        })
        for prompt in prompts + inputRequestPrompts { try registry.register(prompt) }
        try registry.register(Resource(
            uri: "test://cancellations", name: "cancellations", description: "How test_wait_for_cancel calls ended: {\"cancelled\":n,\"completed\":n}",
            mimeType: "application/json"
        ) { _ in
            [ResourceContents(uri: "test://cancellations", mimeType: "application/json", text: probe.json.jsonString)]
        })
    }

    /// Counts how `test_wait_for_cancel` calls ended, so tests can observe cancellation from outside.
    static let probe = CancellationProbe()

    static func text(_ text: String) -> Tool.Handler {
        { _, _ in .text(text) }
    }

    static let noArguments: JSONValue = ["type": "object", "properties": [:]]

    static var tools: [Tool] {
        [
            Tool(name: "test_simple_text", description: "Returns simple text", inputSchema: noArguments, handler: text("This is a simple text response for testing.")),
            Tool(name: "test_image_content", description: "Returns an image", inputSchema: noArguments) { _, _ in
                ToolResult(content: [.image(data: png1x1, mimeType: "image/png")])
            },
            Tool(name: "test_audio_content", description: "Returns audio", inputSchema: noArguments) { _, _ in
                ToolResult(content: [.audio(data: wavSilence, mimeType: "audio/wav")])
            },
            Tool(name: "test_embedded_resource", description: "Returns an embedded resource", inputSchema: noArguments) { _, _ in
                ToolResult(content: [.resource(ResourceContents(uri: "test://embedded-resource", mimeType: "text/plain", text: "This is an embedded resource content."))])
            },
            Tool(name: "test_multiple_content_types", description: "Returns text, image and resource", inputSchema: noArguments) { _, _ in
                ToolResult(content: [
                    .text("Multiple content types test:"),
                    .image(data: png1x1, mimeType: "image/png"),
                    .resource(ResourceContents(uri: "test://mixed-content-resource", mimeType: "application/json", text: #"{"test":"data","value":123}"#)),
                ])
            },
            Tool(name: "test_tool_with_logging", description: "Logs three messages while running", inputSchema: noArguments) { _, context in
                for message in ["Tool execution started", "Tool processing data", "Tool execution completed"] {
                    await context.log(.info, .string(message), logger: "conformance")
                    try await Task.sleep(for: .milliseconds(50))
                }
                return .text("Logging test completed")
            },
            Tool(name: "test_tool_with_progress", description: "Reports progress 0, 50, 100", inputSchema: noArguments) { _, context in
                for step in [0.0, 50, 100] {
                    await context.reportProgress(step, total: 100, message: "step \(Int(step))")
                    try await Task.sleep(for: .milliseconds(50))
                }
                return .text("Progress test completed")
            },
            Tool(name: "test_error_handling", description: "Always fails as a tool error", inputSchema: noArguments) { _, _ in
                .error("This tool intentionally returns an error for testing")
            },
            Tool(
                name: "test_reconnection", description: "Closes the client's connection (2025-11-25 polling), then answers 100 ms later",
                inputSchema: noArguments
            ) { _, context in
                context.closeSSEStream()
                try await Task.sleep(for: .milliseconds(100))
                return .text("Reconnection test completed")
            },
            Tool(
                name: "test_sampling", description: "Asks the client to sample",
                inputSchema: ["type": "object", "properties": ["prompt": ["type": "string"]], "required": ["prompt"]]
            ) { arguments, context in
                let prompt = arguments["prompt"]?.stringValue ?? "Hello"
                let answer = try await context.requestFromClient(
                    method: "sampling/createMessage",
                    params: ["messages": [["role": "user", "content": ["type": "text", "text": .string(prompt)]]], "maxTokens": 100])
                let text = answer["content"]?["text"]?.stringValue ?? answer.jsonString
                return .text("LLM response: \(text)")
            },
            Tool(
                name: "test_elicitation", description: "Asks the user for a name and e-mail",
                inputSchema: ["type": "object", "properties": ["message": ["type": "string"]], "required": ["message"]]
            ) { arguments, context in
                let answer = try await context.requestFromClient(
                    method: "elicitation/create",
                    params: [
                        "message": .string(arguments["message"]?.stringValue ?? "Please provide your details"),
                        "requestedSchema": [
                            "type": "object",
                            "properties": ["username": ["type": "string", "description": "User's name"], "email": ["type": "string", "description": "User's e-mail"]],
                            "required": ["username", "email"],
                        ],
                    ])
                return .text("User response: \(answer.jsonString)")
            },
            Tool(name: "test_elicitation_sep1034_defaults", description: "Elicitation with defaults", inputSchema: noArguments) { _, context in
                let answer = try await context.requestFromClient(
                    method: "elicitation/create",
                    params: [
                        "message": "Please confirm the defaults",
                        "requestedSchema": [
                            "type": "object",
                            "properties": [
                                "name": ["type": "string", "default": "John Doe"],
                                "age": ["type": "integer", "default": 30],
                                "score": ["type": "number", "default": 95.5],
                                "status": ["type": "string", "enum": ["active", "inactive", "pending"], "default": "active"],
                                "verified": ["type": "boolean", "default": true],
                            ],
                        ],
                    ])
                return .text("Elicitation completed: \(answer.jsonString)")
            },
            Tool(name: "test_elicitation_sep1330_enums", description: "Elicitation with every enum form", inputSchema: noArguments) { _, context in
                let answer = try await context.requestFromClient(
                    method: "elicitation/create",
                    params: [
                        "message": "Please choose",
                        "requestedSchema": [
                            "type": "object",
                            "properties": [
                                "untitledSingle": ["type": "string", "enum": ["option1", "option2", "option3"]],
                                "titledSingle": ["type": "string", "oneOf": [["const": "value1", "title": "First"], ["const": "value2", "title": "Second"]]],
                                "legacyEnum": ["type": "string", "enum": ["opt1", "opt2"], "enumNames": ["Option One", "Option Two"]],
                                "untitledMulti": ["type": "array", "items": ["type": "string", "enum": ["a", "b", "c"]]],
                                "titledMulti": ["type": "array", "items": ["anyOf": [["const": "x", "title": "X"], ["const": "y", "title": "Y"]]]],
                            ],
                        ],
                    ])
                return .text("Elicitation completed: \(answer.jsonString)")
            },
            Tool(name: "json_schema_2020_12_tool", description: "Tool with JSON Schema 2020-12 features", inputSchema: jsonSchema202012, handler: text("ok")),
            Tool(
                name: "test_missing_capability", description: "Needs the sampling capability", inputSchema: noArguments,
                requiredClientCapabilities: ["sampling": [:]], handler: text("Success")),
            Tool(name: "test_streaming_elicitation", description: "Streams progress before its result", inputSchema: noArguments) { _, context in
                await context.reportProgress(1, total: 2, message: "working")
                await context.log(.info, "working", logger: "conformance")
                return .text("Streaming completed")
            },
            Tool(name: "test_logging_tool", description: "Logs only when the request asked for logs", inputSchema: noArguments) { _, context in
                await context.log(.info, "log message from test_logging_tool", logger: "conformance")
                return .text("Logging tool completed")
            },
            Tool(
                name: "test_wait_for_cancel",
                description: "Reports progress 0, then waits `seconds` (default 30); counts the outcome in test://cancellations",
                inputSchema: ["type": "object", "properties": ["seconds": ["type": "number", "minimum": 0, "maximum": 60]]]
            ) { arguments, context in
                let seconds = arguments["seconds"]?.numberValue?.doubleValue ?? 30
                await context.reportProgress(0, total: 1, message: "waiting")
                do {
                    try await Task.sleep(for: .milliseconds(Int(min(max(seconds, 0), 60) * 1000)))
                } catch {
                    probe.cancelled()
                    throw error
                }
                probe.completed()
                return .text("not cancelled")
            },
            Tool(
                name: "test_header_param", description: "Mirrors its region parameter into Mcp-Param-Region",
                inputSchema: [
                    "type": "object",
                    "properties": ["region": ["type": "string", "x-mcp-header": "Region"], "query": ["type": "string"]],
                    "required": ["region"],
                ]
            ) { arguments, _ in
                .text("region=\(arguments["region"]?.stringValue ?? "")")
            },
        ]
    }

    static var prompts: [Prompt] {
        [
            Prompt(name: "test_simple_prompt", description: "A simple prompt") { _, _ in
                Prompt.Result(messages: [.user("This is a simple prompt for testing.")])
            },
            Prompt(
                name: "test_prompt_with_arguments", description: "A prompt with arguments",
                arguments: [Prompt.Argument(name: "arg1", description: "First argument", required: true), Prompt.Argument(name: "arg2", description: "Second argument", required: true)],
                complete: { _, prefix, _ in ["test", "testValue1", "testValue2"].filter { $0.hasPrefix(prefix) } }
            ) { arguments, _ in
                Prompt.Result(messages: [.user("Prompt with arguments: arg1='\(arguments["arg1"] ?? "")', arg2='\(arguments["arg2"] ?? "")'")])
            },
            Prompt(
                name: "test_prompt_with_embedded_resource", description: "A prompt with an embedded resource",
                arguments: [Prompt.Argument(name: "resourceUri", description: "URI of the resource to embed", required: true)]
            ) { arguments, _ in
                let uri = arguments["resourceUri"] ?? "test://example-resource"
                return Prompt.Result(messages: [
                    Prompt.Message(role: .user, content: .resource(ResourceContents(uri: uri, mimeType: "text/plain", text: "Embedded resource content for testing."))),
                    .user("Please process the embedded resource above."),
                ])
            },
            Prompt(name: "test_prompt_with_image", description: "A prompt with an image") { _, _ in
                Prompt.Result(messages: [
                    Prompt.Message(role: .user, content: .image(data: png1x1, mimeType: "image/png")),
                    .user("Please analyze the image above."),
                ])
            },
        ]
    }

    /// The conformance suite's JSON Schema 2020-12 fixture, kept verbatim (keywords must survive `tools/list`).
    static let jsonSchema202012: JSONValue = {
        let text = #"""
            {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
             "$defs":{"address":{"$anchor":"addressDef","type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},
             "properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"},
               "contactMethod":{"type":"string","enum":["phone","email"]},"phone":{"type":"string"},"email":{"type":"string"}},
             "allOf":[{"anyOf":[{"required":["phone"]},{"required":["email"]}]}],
             "if":{"properties":{"contactMethod":{"const":"phone"}},"required":["contactMethod"]},
             "then":{"required":["phone"]},"else":{"required":["email"]},"additionalProperties":false}
            """#
        return (try? JSONParser.parse(text)) ?? ["type": "object"]
    }()
}
