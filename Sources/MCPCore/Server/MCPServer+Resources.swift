extension MCPServer {
    func listResources(_ request: JSONRPCRequest) throws(MCPError) -> JSONObject {
        try listing(registry.snapshot.resources.elements, key: "resources", request: request, entry: \.listEntry)
    }

    func listResourceTemplates(_ request: JSONRPCRequest) throws(MCPError) -> JSONObject {
        try listing(registry.snapshot.templates, key: "resourceTemplates", request: request, entry: \.listEntry)
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
