/// Whether a tool runs as a task (2025-11-25 `Tool.execution.taskSupport`; the 2026-07-28
/// extension `io.modelcontextprotocol/tasks` keeps the field and lets the server decide).
public enum TaskSupport: String, Sendable {
    /// Always answers synchronously.
    case forbidden
    /// Runs as a task for clients that declared the tasks extension, synchronously otherwise.
    case optional
    /// Only runs as a task; clients without the extension get -32021.
    case required
}

/// When a task-capable tool's call becomes a task.
public enum TaskCreation: Sendable {
    /// At once: the client gets a `CreateTaskResult` before the handler starts.
    case immediately
    /// When the handler calls ``HandlerContext/continueAsTask()``: input it asks for before
    /// that is gathered synchronously (MRTR), as the extension recommends for composing the two.
    case whenHandlerAsks
}

/// How a tool executes (`Tool.execution`).
public struct ToolExecution: Sendable {
    public var taskSupport: TaskSupport
    public var creation: TaskCreation

    public init(taskSupport: TaskSupport, creation: TaskCreation = .immediately) {
        self.taskSupport = taskSupport
        self.creation = creation
    }

    var json: JSONValue { ["taskSupport": .string(taskSupport.rawValue)] }
}

/// The tasks extension's identifier and the capability object naming it.
public enum TasksExtension {
    public static let identifier = "io.modelcontextprotocol/tasks"

    /// `{"extensions": {"io.modelcontextprotocol/tasks": {}}}`, as `requiredCapabilities` data.
    static let requiredCapabilities: JSONValue = ["extensions": [identifier: [:]]]

    /// Whether a request's client capabilities declare the extension.
    static func isDeclared(in capabilities: JSONObject) -> Bool {
        capabilities["extensions"]?[identifier] != nil
    }

    static func missing(_ what: String) -> MCPError {
        MCPError(
            code: .missingRequiredClientCapability,
            message: "Missing required client capability: the \(identifier) extension (needed for \(what))",
            data: ["requiredCapabilities": requiredCapabilities])
    }
}
