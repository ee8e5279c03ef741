extension MCPServer {
    func listResources(_ request: JSONRPCRequest, principal: Principal?) throws(MCPError) -> JSONObject {
        try listing(visible(registry.snapshot.resources.elements, to: principal) { .resource($0.uri) }, key: "resources", request: request, entry: \.listEntry)
    }

    /// Templates are hidden by their text up to the first expression, the prefix every URI they make shares.
    func listResourceTemplates(_ request: JSONRPCRequest, principal: Principal?) throws(MCPError) -> JSONObject {
        let templates = visible(registry.snapshot.templates, to: principal) { template in
            .resource(String(template.template.text.prefix { $0 != "{" }))
        }
        return try listing(templates, key: "resourceTemplates", request: request, entry: \.listEntry)
    }

    /// `resources/read`: static resources first, then templates in registration order.
    /// An unknown URI is -32002 for legacy sessions and -32602 with `data.uri` in 2026-07-28.
    func readResource(_ request: JSONRPCRequest, context: HandlerContext) async throws -> JSONObject {
        guard case .string(let uri)? = request.params["uri"] else {
            throw MCPError.invalidParams("resources/read: 'uri' must be a string")
        }
        return try await withInputRounds(request, name: uri, context: context) { context in
            try await read(uri, context: context)
        }
    }

    private func read(_ uri: String, context: HandlerContext) async throws -> JSONObject {
        let contents = registry.snapshot
        var read: [ResourceContents]?
        if let resource = contents.resources[uri] {
            read = try await resource.read(context)
        } else {
            for template in contents.templates {
                if let variables = template.template.match(uri) {
                    read = try await template.read(uri, variables, context)
                    break
                }
            }
        }
        guard let read, !read.isEmpty else {
            let code: ErrorCode = context.protocolVersion.isModern ? .invalidParams : .resourceNotFound
            throw MCPError(code: code, message: "Resource not found: \(uri)", data: ["uri": .string(uri)])
        }
        return ["contents": .array(read.map(\.json))]
    }
}
