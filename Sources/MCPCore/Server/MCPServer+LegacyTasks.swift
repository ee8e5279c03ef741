/// The experimental tasks of 2025-11-25 (basic/utilities/tasks): the client asks for a task
/// with `params.task`, results come from a blocking `tasks/result`, input the work needs is
/// asked on that `tasks/result` stream. Same store and task machinery as the 2026-07-28
/// extension; only the wire differs. Tasks are bound to the session that created them.
extension MCPServer {
    static let relatedTaskKey = "io.modelcontextprotocol/related-task"

    /// Whether a legacy session may use tasks: 2025-11-25 or later, and a task-capable tool exists.
    func offersLegacyTasks(_ version: ProtocolVersion) -> Bool {
        version >= .v2025_11_25 && !version.isModern && registry.snapshot.tools.elements.contains { ($0.execution?.taskSupport ?? .forbidden) != .forbidden }
    }

    static func principal(of session: Session) -> String { "session:\(session.id)" }

    /// `tools/call` with `params.task` in a 2025-11-25 session: `CreateTaskResult {task}` at once.
    func callAsLegacyTask(_ tool: Tool, arguments: JSONObject, request: JSONRPCRequest, context: HandlerContext, session: Session) throws(MCPError) -> JSONObject {
        guard (tool.execution?.taskSupport ?? .forbidden) != .forbidden else {
            throw .methodNotFound("tools/call as a task: tool '\(tool.name)' does not support tasks")
        }
        let requestedTTL = request.params["task"]?["ttl"]?.numberValue?.int64Value.map { Int(clamping: $0) }
        let record = try createTask(for: tool, principal: Self.principal(of: session), ttlMilliseconds: requestedTTL)
        // The call's own stream ends with the CreateTaskResult; the work runs detached from it.
        let promotion = TaskPromotion(record: record)
        var taskContext = HandlerContext(
            requestID: context.requestID, protocolVersion: context.protocolVersion, clientCapabilities: context.clientCapabilities,
            clientInfo: context.clientInfo, progressToken: nil, requestLogLevel: nil, session: nil, stream: nil, principal: context.principal,
            logger: context.logger)
        taskContext.taskPromotion = promotion
        let handle = Task.detached { [taskContext] in
            let outcome = await Self.outcome {
                try await self.withInputRounds(request, name: tool.name, context: taskContext) { context in
                    try await self.run(tool, arguments: arguments, request: request, context: context)
                }
            }
            Self.settle(record, with: outcome, toolErrorsFail: true)
        }
        record.onCancel { handle.cancel() }
        return ["task": .object(record.legacyTask)]
    }

    /// `tasks/get`, `tasks/result`, `tasks/list`, `tasks/cancel` in a 2025-11-25 session.
    func legacyTaskRequest(_ request: JSONRPCRequest, context: HandlerContext) async throws -> JSONObject {
        guard let session = context.session, offersLegacyTasks(session.protocolVersion) else {
            throw MCPError.methodNotFound(request.method)
        }
        let principal = Self.principal(of: session)
        if request.method == "tasks/list" {
            return try listing(tasks.tasks(of: principal), key: "tasks", request: request) { .object($0.legacyTask) }
        }
        guard case .string(let id)? = request.params["taskId"] else {
            throw MCPError.invalidParams("\(request.method): 'taskId' must be a string")
        }
        guard let record = tasks.task(id: id, principal: principal) else {
            throw MCPError.invalidParams("\(request.method): task '\(id)' not found or expired")
        }
        switch request.method {
        case "tasks/get":
            return record.legacyTask
        case "tasks/cancel":
            guard !record.status.isTerminal else {
                throw MCPError.invalidParams("tasks/cancel: task '\(id)' is already \(record.status.rawValue)")
            }
            record.cancel()
            return record.legacyTask
        default:
            return try await taskResult(record, context: context)
        }
    }

    /// `tasks/result`: blocks until the task is terminal, meanwhile putting the task's input
    /// requests to the client on this request's stream (tagged with the related task).
    private func taskResult(_ record: TaskRecord, context: HandlerContext) async throws -> JSONObject {
        let related: JSONValue = [Self.relatedTaskKey: ["taskId": .string(record.id)]]
        while true {
            let version = record.version
            if let outcome = record.outcome {
                var result = try outcome.get()
                var meta = result["_meta"]?.objectValue ?? [:]
                meta[Self.relatedTaskKey] = ["taskId": .string(record.id)]
                result["_meta"] = .object(meta)
                return result
            }
            let inputs = record.undispatchedInputs()
            do {
                for (key, input) in inputs {
                    var params = input.params
                    params["_meta"] = related
                    let answer = try await context.requestFromClient(method: input.method, params: params)
                    try record.update([key: answer])
                }
            } catch {
                // Asked again by the next tasks/result.
                record.undispatch(inputs.map(\.key))
                throw error
            }
            try Task.checkCancellation()
            if inputs.isEmpty { await record.waitForChange(since: version) }
        }
    }
}
