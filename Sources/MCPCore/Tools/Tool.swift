/// Hints about a tool's behaviour; clients treat them as untrusted (spec `ToolAnnotations`, 2025-03-26+).
public struct ToolAnnotations: Sendable, Hashable {
    public var title: String?
    public var readOnlyHint: Bool?
    public var destructiveHint: Bool?
    public var idempotentHint: Bool?
    public var openWorldHint: Bool?

    public init(title: String? = nil, readOnlyHint: Bool? = nil, destructiveHint: Bool? = nil, idempotentHint: Bool? = nil, openWorldHint: Bool? = nil) {
        self.title = title
        self.readOnlyHint = readOnlyHint
        self.destructiveHint = destructiveHint
        self.idempotentHint = idempotentHint
        self.openWorldHint = openWorldHint
    }

    var json: JSONValue {
        var object = JSONObject()
        if let title { object["title"] = .string(title) }
        if let readOnlyHint { object["readOnlyHint"] = .bool(readOnlyHint) }
        if let destructiveHint { object["destructiveHint"] = .bool(destructiveHint) }
        if let idempotentHint { object["idempotentHint"] = .bool(idempotentHint) }
        if let openWorldHint { object["openWorldHint"] = .bool(openWorldHint) }
        return .object(object)
    }
}

/// The input type of a Swift tool, with its JSON Schema declared once next to the type.
///
/// ```swift
/// struct AddInput: ToolInput {
///     var a: Double
///     var b: Double
///     static let schema: JSONValue = ["type": "object",
///         "properties": ["a": ["type": "number"], "b": ["type": "number"]],
///         "required": ["a", "b"]]
/// }
/// ```
public protocol ToolInput: Decodable, Sendable {
    /// A JSON Schema (2020-12) object describing the arguments (tools §Tool, `inputSchema`).
    static var schema: JSONValue { get }
}

/// A tool that the server publishes (spec `Tool`), with the closure that runs it.
public struct Tool: Sendable {
    public typealias Handler = @Sendable (_ arguments: JSONObject, _ context: HandlerContext) async throws -> ToolResult

    public var name: String
    public var title: String?
    public var description: String?
    public var inputSchema: JSONValue {
        didSet { headerParameters = HeaderParameter.find(in: inputSchema) }
    }
    public var outputSchema: JSONValue?
    public var annotations: ToolAnnotations?
    public var icons: [Icon]
    /// Client capabilities the tool needs (for example `["sampling": [:]]`); a modern
    /// request that does not declare them is refused with -32021 before the tool runs.
    public var requiredClientCapabilities: JSONObject
    /// Whether and when calls become tasks (`execution.taskSupport`); `nil` = always synchronous.
    public var execution: ToolExecution?
    public var handler: Handler
    /// Parameters the client mirrors into `Mcp-Param-{Name}` headers, found once from `x-mcp-header`.
    public private(set) var headerParameters: [HeaderParameter]

    public init(
        name: String,
        title: String? = nil,
        description: String? = nil,
        inputSchema: JSONValue = ["type": "object"],
        outputSchema: JSONValue? = nil,
        annotations: ToolAnnotations? = nil,
        icons: [Icon] = [],
        requiredClientCapabilities: JSONObject = [:],
        execution: ToolExecution? = nil,
        handler: @escaping Handler
    ) {
        self.name = name
        self.title = title
        self.description = description
        self.inputSchema = inputSchema
        self.headerParameters = HeaderParameter.find(in: inputSchema)
        self.outputSchema = outputSchema
        self.annotations = annotations
        self.icons = icons
        self.requiredClientCapabilities = requiredClientCapabilities
        self.execution = execution
        self.handler = handler
    }

    /// A tool whose arguments decode into `Input`; arguments that do not fit become an
    /// `isError` result naming the field, so the model can correct itself.
    public init<Input: ToolInput>(
        name: String,
        title: String? = nil,
        description: String? = nil,
        input: Input.Type,
        outputSchema: JSONValue? = nil,
        annotations: ToolAnnotations? = nil,
        icons: [Icon] = [],
        requiredClientCapabilities: JSONObject = [:],
        run: @escaping @Sendable (Input, HandlerContext) async throws -> ToolResult
    ) {
        self.init(
            name: name, title: title, description: description, inputSchema: Input.schema, outputSchema: outputSchema,
            annotations: annotations, icons: icons, requiredClientCapabilities: requiredClientCapabilities
        ) { arguments, context in
            let input: Input
            do {
                input = try JSONValueDecoder().decode(Input.self, from: .object(arguments))
            } catch let error as DecodingError {
                return .error("Invalid arguments for tool '\(name)': \(error.fieldDescription)")
            }
            return try await run(input, context)
        }
    }

    /// The `tools/list` entry.
    public var listEntry: JSONValue {
        var object: JSONObject = ["name": .string(name)]
        if let title { object["title"] = .string(title) }
        if let description { object["description"] = .string(description) }
        object["inputSchema"] = inputSchema
        if let outputSchema { object["outputSchema"] = outputSchema }
        if let annotations { object["annotations"] = annotations.json }
        if !icons.isEmpty { object["icons"] = .array(icons.map(\.json)) }
        if let execution, execution.taskSupport != .forbidden { object["execution"] = execution.json }
        return .object(object)
    }
}
