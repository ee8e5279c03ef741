extension MCPServer {
    func listPrompts(_ request: JSONRPCRequest, principal: Principal?) throws(MCPError) -> JSONObject {
        try listing(visible(registry.snapshot.prompts.elements, to: principal) { .prompt($0.name) }, key: "prompts", request: request, entry: \.listEntry)
    }

    /// `prompts/get`: unknown names, non-string arguments and missing required arguments are -32602.
    func getPrompt(_ request: JSONRPCRequest, context: HandlerContext) async throws -> JSONObject {
        guard case .string(let name)? = request.params["name"] else {
            throw MCPError.invalidParams("prompts/get: 'name' must be a string")
        }
        let contents = registry.snapshot
        guard let prompt = contents.prompts[name] else { throw MCPError.invalidParams("Unknown prompt: \(name)") }
        var arguments: [String: String] = [:]
        switch request.params["arguments"] {
        case .none, .some(.null): break
        case .some(.object(let object)):
            for (key, value) in object {
                guard case .string(let text) = value else {
                    throw MCPError.invalidParams("prompts/get: argument '\(key)' must be a string, got \(value.typeName)")
                }
                arguments[key] = text
            }
        case .some(let other):
            throw MCPError.invalidParams("prompts/get: 'arguments' must be an object, got \(other.typeName)")
        }
        for argument in prompt.arguments where argument.required && arguments[argument.name] == nil {
            throw MCPError.invalidParams("prompts/get: missing required argument '\(argument.name)' for prompt '\(name)'")
        }
        return try await withInputRounds(request, name: name, context: context) { context in
            try await render(prompt, arguments: arguments, context: context)
        }
    }

    private func render(_ prompt: Prompt, arguments: [String: String], context: HandlerContext) async throws -> JSONObject {
        let rendered = try await prompt.render(arguments, context)
        var result: JSONObject = [:]
        if let description = rendered.description ?? prompt.description { result["description"] = .string(description) }
        result["messages"] = .array(rendered.messages.map(\.json))
        return result
    }
}
