import Logging

extension MCPServer {
    func listTools(_ request: JSONRPCRequest, principal: Principal?) throws(MCPError) -> JSONObject {
        try listing(visible(registry.tools, to: principal) { .tool($0.name) }, key: "tools", request: request, entry: \.listEntry)
    }

    /// `tools/call`: unknown tools and malformed params are JSON-RPC errors; everything the
    /// tool itself reports (bad input, failures) is a result with `isError: true`.
    func callTool(_ request: JSONRPCRequest, context: HandlerContext) async throws -> JSONObject {
        guard case .string(let name)? = request.params["name"] else {
            throw MCPError.invalidParams("tools/call: 'name' must be a string")
        }
        let arguments: JSONObject
        switch request.params["arguments"] {
        case .none, .some(.null): arguments = [:]
        case .some(.object(let object)): arguments = object
        case .some(let other): throw MCPError.invalidParams("tools/call: 'arguments' must be an object, got \(other.typeName)")
        }
        guard let tool = registry.tool(named: name) else {
            throw MCPError.invalidParams("Unknown tool: \(name)")
        }
        if context.protocolVersion.isModern {
            try Self.checkRequiredCapabilities(tool.requiredClientCapabilities, declared: context.clientCapabilities)
        }
        let support = tool.execution?.taskSupport ?? .forbidden
        if request.params["task"]?.objectValue != nil, let session = context.session, offersLegacyTasks(session.protocolVersion) {
            return try callAsLegacyTask(tool, arguments: arguments, request: request, context: context, session: session)
        }
        if support != .forbidden {
            let modern = context.protocolVersion.isModern
            if modern && TasksExtension.isDeclared(in: context.clientCapabilities) {
                return try await callAsTask(tool, arguments: arguments, request: request, context: context)
            }
            if support == .required {
                // SEP-2663 §Capability Negotiation; 2025-11-25 tasks §Tool-Level Negotiation for legacy sessions.
                throw modern
                    ? TasksExtension.missing("tool '\(name)', which runs only as a task")
                    : MCPError(code: .methodNotFound, message: "Tool '\(name)' runs only as a task; this server offers tasks to 2026-07-28 clients with the \(TasksExtension.identifier) extension")
            }
        }
        return try await withInputRounds(request, name: name, context: context) { context in
            try await run(tool, arguments: arguments, request: request, context: context)
        }
    }

    func run(_ tool: Tool, arguments: JSONObject, request: JSONRPCRequest, context: HandlerContext) async throws -> JSONObject {
        let name = tool.name
        do {
            return try await tool.handler(arguments, context).json
        } catch let required as InputRequired {
            throw required
        } catch let error as ToolError {
            return ToolResult.error(error.message).json
        } catch let error as MCPError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            logger.warning("tool failed", metadata: ["mcp.tool": "\(name)", "mcp.id": "\(request.id)", "error": "\(error)"])
            return ToolResult.error("Tool '\(name)' failed: \(error)").json
        }
    }

    /// -32021 with `data.requiredCapabilities` when the request's `_meta` lacks a capability
    /// the tool needs (2026-07-28 basic/index §Error Codes).
    static func checkRequiredCapabilities(_ required: JSONObject, declared: JSONObject) throws(MCPError) {
        var missing = JSONObject()
        for (key, value) in required where declared[key] == nil { missing[key] = value }
        guard missing.isEmpty else {
            throw MCPError(
                code: .missingRequiredClientCapability,
                message: "Missing required client capability: \(missing.keys.joined(separator: ", "))",
                data: ["requiredCapabilities": .object(missing)]
            )
        }
    }
}
