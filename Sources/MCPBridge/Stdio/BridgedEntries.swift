import MCPCore

/// Registry entries that stand for a child's tools, resources and prompts: their list
/// entries come from the child, and running them forwards to it.
enum BridgedEntries {
    static func tool(_ entry: JSONObject, name: String, source: StdioSource) -> Tool {
        let original = entry["name"]?.stringValue ?? name
        var tool = Tool(
            name: name, title: entry["title"]?.stringValue, description: entry["description"]?.stringValue,
            inputSchema: entry["inputSchema"] ?? ["type": "object"], outputSchema: entry["outputSchema"],
            annotations: entry["annotations"]?.objectValue.map(annotations)
        ) { arguments, context in
            let result = try await source.forward(
                "tools/call", params: ["name": .string(original), "arguments": .object(arguments)], context: context)
            return .forwarded(result.objectValue ?? [:])
        }
        tool.icons = icons(entry["icons"])
        return tool
    }

    static func resource(_ entry: JSONObject, source: StdioSource) -> Resource {
        let uri = entry["uri"]?.stringValue ?? ""
        return Resource(
            uri: uri, name: entry["name"]?.stringValue ?? uri, title: entry["title"]?.stringValue,
            description: entry["description"]?.stringValue, mimeType: entry["mimeType"]?.stringValue,
            size: entry["size"]?.numberValue?.int64Value.map(Int.init), icons: icons(entry["icons"])
        ) { context in
            let result = try await source.forward("resources/read", params: ["uri": .string(uri)], context: context)
            return (result.objectValue?["contents"]?.arrayValue ?? []).compactMap(resourceContents)
        }
    }

    static func template(_ entry: JSONObject, source: StdioSource) -> ResourceTemplate {
        let text = entry["uriTemplate"]?.stringValue ?? ""
        return ResourceTemplate(
            uriTemplate: text, name: entry["name"]?.stringValue ?? text, title: entry["title"]?.stringValue,
            description: entry["description"]?.stringValue, mimeType: entry["mimeType"]?.stringValue,
            complete: { variable, prefix in
                await source.complete(["type": "ref/resource", "uri": .string(text)], argument: variable, prefix: prefix, context: [:])
            }
        ) { uri, _, context in
            let result = try await source.forward("resources/read", params: ["uri": .string(uri)], context: context)
            return (result.objectValue?["contents"]?.arrayValue ?? []).compactMap(resourceContents)
        }
    }

    static func prompt(_ entry: JSONObject, name: String, source: StdioSource) -> Prompt {
        let original = entry["name"]?.stringValue ?? name
        let arguments = (entry["arguments"]?.arrayValue ?? []).compactMap(\.objectValue).map { argument in
            Prompt.Argument(
                name: argument["name"]?.stringValue ?? "", title: argument["title"]?.stringValue,
                description: argument["description"]?.stringValue, required: argument["required"]?.boolValue ?? false)
        }
        return Prompt(
            name: name, title: entry["title"]?.stringValue, description: entry["description"]?.stringValue,
            arguments: arguments, icons: icons(entry["icons"]),
            complete: { argument, prefix, values in
                await source.complete(["type": "ref/prompt", "name": .string(original)], argument: argument, prefix: prefix, context: values)
            }
        ) { values, context in
            let result = try await source.forward(
                "prompts/get", params: ["name": .string(original), "arguments": .object(Self.object(values))],
                context: context)
            let messages = (result.objectValue?["messages"]?.arrayValue ?? []).compactMap(\.objectValue).compactMap { message -> Prompt.Message? in
                guard let role = message["role"]?.stringValue.flatMap(Prompt.Message.Role.init(rawValue:)),
                    let content = message["content"].flatMap(Self.content)
                else { return nil }
                return Prompt.Message(role: role, content: content)
            }
            return Prompt.Result(description: result.objectValue?["description"]?.stringValue, messages: messages)
        }
    }

    static func object(_ strings: [String: String]) -> JSONObject {
        var object = JSONObject()
        for key in strings.keys.sorted() { object[key] = .string(strings[key]!) }
        return object
    }

    static func annotations(_ object: JSONObject) -> ToolAnnotations {
        ToolAnnotations(
            title: object["title"]?.stringValue, readOnlyHint: object["readOnlyHint"]?.boolValue,
            destructiveHint: object["destructiveHint"]?.boolValue, idempotentHint: object["idempotentHint"]?.boolValue,
            openWorldHint: object["openWorldHint"]?.boolValue)
    }

    static func icons(_ value: JSONValue?) -> [Icon] {
        (value?.arrayValue ?? []).compactMap(\.objectValue).compactMap { icon in
            guard let src = icon["src"]?.stringValue else { return nil }
            return Icon(src: src, mimeType: icon["mimeType"]?.stringValue, sizes: icon["sizes"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        }
    }

    static func resourceContents(_ value: JSONValue) -> ResourceContents? {
        guard let object = value.objectValue, let uri = object["uri"]?.stringValue else { return nil }
        let mimeType = object["mimeType"]?.stringValue
        if let text = object["text"]?.stringValue { return ResourceContents(uri: uri, mimeType: mimeType, text: text) }
        if let blob = object["blob"]?.stringValue { return ResourceContents(uri: uri, mimeType: mimeType, blob: blob) }
        return nil
    }

    static func content(_ value: JSONValue) -> Content? {
        guard let object = value.objectValue else { return nil }
        switch object["type"]?.stringValue {
        case "text": return object["text"]?.stringValue.map(Content.text)
        case "image":
            guard let data = object["data"]?.stringValue, let mimeType = object["mimeType"]?.stringValue else { return nil }
            return .image(data: data, mimeType: mimeType)
        case "audio":
            guard let data = object["data"]?.stringValue, let mimeType = object["mimeType"]?.stringValue else { return nil }
            return .audio(data: data, mimeType: mimeType)
        case "resource":
            return object["resource"].flatMap(resourceContents).map(Content.resource)
        case "resource_link":
            guard let uri = object["uri"]?.stringValue, let name = object["name"]?.stringValue else { return nil }
            return .resourceLink(uri: uri, name: name, title: object["title"]?.stringValue, description: object["description"]?.stringValue, mimeType: object["mimeType"]?.stringValue)
        default:
            return .text(value.jsonString)
        }
    }
}
