/// What a tool call returns (spec `CallToolResult`).
///
/// Failures the model should see and correct — bad input, a failed operation — are
/// results with `isError: true`, not JSON-RPC errors (tools §Error Handling, 2025-11-25).
public struct ToolResult: Sendable {
    public var content: [Content]
    public var structuredContent: JSONValue?
    public var isError: Bool
    /// A whole `CallToolResult` produced elsewhere (a bridged server), sent on unchanged so
    /// nothing it carries (`_meta`, annotations, future fields) is lost in translation.
    private var forwarded: JSONObject?

    public init(content: [Content], structuredContent: JSONValue? = nil, isError: Bool = false) {
        self.content = content
        self.structuredContent = structuredContent
        self.isError = isError
    }

    /// A result another MCP server produced, passed through as it came.
    public static func forwarded(_ result: JSONObject) -> ToolResult {
        var tool = ToolResult(content: [], isError: result["isError"]?.boolValue ?? false)
        tool.forwarded = result
        return tool
    }

    public static func text(_ text: String) -> ToolResult { ToolResult(content: [.text(text)]) }

    /// A tool-level failure the client shows to the model.
    public static func error(_ message: String) -> ToolResult { ToolResult(content: [.text(message)], isError: true) }

    /// Structured output with its serialised text mirror, as the spec asks of tools with an `outputSchema`.
    public static func structured(_ value: JSONValue) -> ToolResult {
        ToolResult(content: [.text(value.jsonString)], structuredContent: value)
    }

    /// Structured output from an `Encodable` value, mirrored as text.
    public static func structured(_ value: some Encodable) throws -> ToolResult {
        structured(try JSONValueEncoder().encode(value))
    }

    /// The `CallToolResult` object as it goes on the wire.
    public var json: JSONObject {
        if let forwarded { return forwarded }
        var object: JSONObject = ["content": .array(content.map(\.json))]
        if let structuredContent { object["structuredContent"] = structuredContent }
        if isError { object["isError"] = true }
        return object
    }
}

/// Throw from a tool to return `isError: true` with this message instead of a JSON-RPC error.
public struct ToolError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
