extension MCPServer {
    /// `completion/complete` for prompt arguments and resource-template variables
    /// (server/utilities/completion); at most 100 values, with `total` and `hasMore`.
    func complete(_ request: JSONRPCRequest) async throws(MCPError) -> JSONObject {
        guard case .object(let reference)? = request.params["ref"], case .string(let type)? = reference["type"] else {
            throw .invalidParams("completion/complete: 'ref' must be an object with a 'type'")
        }
        guard case .object(let argument)? = request.params["argument"], case .string(let argumentName)? = argument["name"],
            case .string(let prefix)? = argument["value"]
        else {
            throw .invalidParams("completion/complete: 'argument' must be an object with string 'name' and 'value'")
        }
        var contextArguments: [String: String] = [:]
        if case .object(let context)? = request.params["context"], case .object(let values)? = context["arguments"] {
            for (key, value) in values { if case .string(let text) = value { contextArguments[key] = text } }
        }
        let contents = registry.snapshot
        var values: [String] = []
        switch type {
        case "ref/prompt":
            guard case .string(let name)? = reference["name"], let prompt = contents.prompts[name] else {
                throw .invalidParams("completion/complete: unknown prompt \(reference["name"]?.jsonString ?? "(none)")")
            }
            guard prompt.arguments.contains(where: { $0.name == argumentName }) else {
                throw .invalidParams("completion/complete: prompt '\(name)' has no argument '\(argumentName)'")
            }
            values = await prompt.complete?(argumentName, prefix, contextArguments) ?? []
        case "ref/resource":
            guard case .string(let uri)? = reference["uri"] else {
                throw .invalidParams("completion/complete: 'ref.uri' must be a string")
            }
            guard let template = contents.templates.first(where: { $0.template.text == uri }) else {
                throw .invalidParams("completion/complete: unknown resource template \(uri)")
            }
            values = await template.complete?(argumentName, prefix) ?? []
        default:
            throw .invalidParams("completion/complete: unknown reference type '\(type)'")
        }
        let total = values.count
        let shown = values.prefix(100)
        return ["completion": ["values": .array(shown.map(JSONValue.string)), "total": .number(JSONNumber(total)), "hasMore": .bool(total > shown.count)]]
    }
}
