public import MCPCore

/// The `demo` tool pack: a few tools, a resource, a template and a prompt that show every
/// kind of result a client can get, and that the README's first command lists.
public enum DemoPack {
    public static func register(in registry: Registry) throws {
        try registry.register(echo)
        try registry.register(add)
        try registry.register(slowCount)
        try registry.register(Resource.text(
            uri: "portico://demo/about", name: "about", description: "What this demo server is",
            "Portico demo server: one Swift binary serving MCP over Streamable HTTP, 2025-03-26 through 2026-07-28."))
        registry.register(ResourceTemplate(
            uriTemplate: "portico://demo/echo/{message}", name: "echo-resource", description: "Reads back the message in the URI",
            mimeType: "text/plain",
            complete: { _, prefix in ["hello", "hi", "howdy"].filter { $0.hasPrefix(prefix) } }
        ) { uri, variables, _ in
            [ResourceContents(uri: uri, mimeType: "text/plain", text: variables["message"] ?? "")]
        })
        try registry.register(summarize)
    }

    struct EchoInput: ToolInput {
        var text: String
        static let schema: JSONValue = [
            "type": "object",
            "properties": ["text": ["type": "string", "description": "Text to send back"]],
            "required": ["text"],
        ]
    }

    static let echo = Tool(
        name: "echo", title: "Echo", description: "Returns the text it is given.", input: EchoInput.self,
        annotations: ToolAnnotations(readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false)
    ) { input, _ in
        .text(input.text)
    }

    struct AddInput: ToolInput {
        var a: Double
        var b: Double
        static let schema: JSONValue = [
            "type": "object",
            "properties": ["a": ["type": "number"], "b": ["type": "number"]],
            "required": ["a", "b"],
        ]
    }

    static let add = Tool(
        name: "add", title: "Add", description: "Adds two numbers.", input: AddInput.self,
        outputSchema: ["type": "object", "properties": ["sum": ["type": "number"]], "required": ["sum"]],
        annotations: ToolAnnotations(readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false)
    ) { input, _ in
        let sum = input.a + input.b
        guard sum.isFinite else { throw ToolError("The sum of \(input.a) and \(input.b) is not a finite number") }
        return .structured(["sum": .number(JSONNumber(sum))])
    }

    struct SlowCountInput: ToolInput {
        var n: Int
        var delay_ms: Int?
        static let schema: JSONValue = [
            "type": "object",
            "properties": [
                "n": ["type": "integer", "minimum": 1, "maximum": 1000, "description": "How far to count"],
                "delay_ms": ["type": "integer", "minimum": 0, "maximum": 10000, "default": 100, "description": "Pause between steps"],
            ],
            "required": ["n"],
        ]
    }

    static let slowCount = Tool(
        name: "slow_count", title: "Slow count",
        description: "Counts from 1 to n, pausing delay_ms between steps and reporting progress when asked.",
        input: SlowCountInput.self,
        annotations: ToolAnnotations(readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false)
    ) { input, context in
        guard (1...1000).contains(input.n) else { throw ToolError("Field 'n' must be between 1 and 1000, got \(input.n)") }
        let delay = input.delay_ms ?? 100
        guard (0...10_000).contains(delay) else { throw ToolError("Field 'delay_ms' must be between 0 and 10000, got \(delay)") }
        for step in 1...input.n {
            try await Task.sleep(for: .milliseconds(delay))
            await context.reportProgress(Double(step), total: Double(input.n), message: "counted \(step) of \(input.n)")
        }
        return .text("counted to \(input.n)")
    }

    static let summarize = Prompt(
        name: "summarize", title: "Summarize", description: "Asks the model to summarize a text.",
        arguments: [
            Prompt.Argument(name: "text", description: "The text to summarize", required: true),
            Prompt.Argument(name: "style", description: "How to write the summary, e.g. 'one sentence'"),
        ],
        complete: { argument, prefix, _ in
            guard argument == "style" else { return [] }
            return ["one sentence", "bullet points", "formal", "casual"].filter { $0.hasPrefix(prefix) }
        }
    ) { arguments, _ in
        let style = arguments["style"].map { " in the style: \($0)" } ?? ""
        return Prompt.Result(messages: [.user("Please summarize the following text\(style):\n\n\(arguments["text"] ?? "")")])
    }
}
