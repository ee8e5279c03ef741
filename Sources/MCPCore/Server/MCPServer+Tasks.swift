import Logging

extension MCPServer {
    /// A `tools/call` of a task-capable tool from a client that declared the tasks extension
    /// (SEP-2663 §Task Creation). With ``TaskCreation/immediately`` the task exists before
    /// the handler starts; with ``TaskCreation/whenHandlerAsks`` the handler first runs as a
    /// normal call (its input rounds answered synchronously) until it calls
    /// ``HandlerContext/continueAsTask()``.
    func callAsTask(_ tool: Tool, arguments: JSONObject, request: JSONRPCRequest, context: HandlerContext) async throws -> JSONObject {
        let promotion = TaskPromotion()
        var context = context
        context.taskPromotion = promotion
        let work: @Sendable () async throws -> JSONObject = { [context] in
            try await self.withInputRounds(request, name: tool.name, context: context) { context in
                try await self.run(tool, arguments: arguments, request: request, context: context)
            }
        }
        if tool.execution?.creation ?? .immediately == .immediately {
            let record = try createTask(for: tool, principal: context.principal?.id)
            promotion.resolve(record)
            let handle = Task.detached {
                let outcome = await Self.outcome(of: work)
                Self.settle(record, with: outcome)
            }
            record.onCancel { handle.cancel() }
            return record.createResult
        }
        let handle = Task.detached {
            let outcome = await Self.outcome(of: work)
            promotion.finish(outcome)
            if let record = promotion.record { Self.settle(record, with: outcome) }
            return outcome
        }
        let decision = await withTaskCancellationHandler {
            await promotion.decision()
        } onCancel: {
            handle.cancel()
        }
        switch decision {
        case .finished(let outcome):
            return try outcome.get()
        case .promote:
            do {
                let record = try createTask(for: tool, principal: context.principal?.id)
                record.onCancel { handle.cancel() }
                promotion.resolve(record)
                return record.createResult
            } catch {
                // No room for a task: the handler goes on synchronously and this call answers with its outcome.
                promotion.resolve(nil)
                return try await handle.value.get()
            }
        }
    }

    /// A new task for a call of `tool`, or 503 when the store is full of running tasks.
    func createTask(for tool: Tool, principal: String? = nil, ttlMilliseconds: Int? = nil) throws(MCPError) -> TaskRecord {
        guard let record = tasks.create(principal: principal, ttlMilliseconds: ttlMilliseconds) else {
            throw MCPError(
                code: .internalError, message: "Too many tasks in progress (\(tasks.limits.maximumTasks)); try again later", httpStatus: 503)
        }
        logger.debug("task created", metadata: ["mcp.tool": "\(tool.name)", "mcp.task": "\(record.id)"])
        return record
    }

    static func outcome(of work: @Sendable () async throws -> JSONObject) async -> Result<JSONObject, any Error> {
        do {
            return .success(try await work())
        } catch {
            return .failure(error)
        }
    }

    /// A task's terminal state from its work's outcome: a result is `completed`, a JSON-RPC
    /// error `failed` (SEP-2663 §Task Execution Errors). With `toolErrorsFail` (2025-11-25
    /// tasks §Result Handling) a tool result with `isError: true` ends `failed`, result kept.
    static func settle(_ record: TaskRecord, with outcome: Result<JSONObject, any Error>, toolErrorsFail: Bool = false) {
        switch outcome {
        case .success(let result) where toolErrorsFail && result["isError"] == .bool(true): record.failWithResult(result)
        case .success(let result): record.complete(result)
        case .failure(let error as MCPError): record.fail(error)
        case .failure(is CancellationError): record.cancel()
        case .failure(let error): record.fail(.internalError("The task failed: \(error)"))
        }
    }

    /// `tasks/get`, `tasks/update`, `tasks/cancel` (2026-07-28 with the tasks extension).
    func taskRequest(_ request: JSONRPCRequest, context: HandlerContext) throws(MCPError) -> JSONObject {
        guard TasksExtension.isDeclared(in: context.clientCapabilities) else {
            throw TasksExtension.missing(request.method)
        }
        guard case .string(let id)? = request.params["taskId"] else {
            throw .invalidParams("\(request.method): 'taskId' must be a string")
        }
        guard let record = tasks.task(id: id, principal: context.principal?.id) else {
            throw .invalidParams("Failed to retrieve task: task '\(id)' not found or expired")
        }
        switch request.method {
        case "tasks/get":
            return record.detailed
        case "tasks/update":
            guard case .object(let responses)? = request.params["inputResponses"] else {
                throw .invalidParams("tasks/update: 'inputResponses' must be an object")
            }
            try record.update(responses)
            return [:]
        default:
            record.cancel()
            return [:]
        }
    }
}
