import MCPCore

extension ConformancePack {
    /// Tools that change the server at runtime, so tests can watch the notifications go out:
    /// each toggle adds or removes a real registry entry.
    static func triggerTools(_ server: MCPServer) -> [Tool] {
        let registry = server.registry
        return [
            Tool(name: "test_trigger_tool_change", description: "Adds or removes the tool test_dynamic_tool", inputSchema: noArguments) { _, _ in
                if registry.removeTool(named: "test_dynamic_tool") { return .text("removed test_dynamic_tool") }
                try registry.register(Tool(name: "test_dynamic_tool", description: "Added at runtime", inputSchema: noArguments, handler: text("dynamic")))
                return .text("added test_dynamic_tool")
            },
            Tool(name: "test_trigger_prompt_change", description: "Adds or removes the prompt test_dynamic_prompt", inputSchema: noArguments) { _, _ in
                if registry.removePrompt(named: "test_dynamic_prompt") { return .text("removed test_dynamic_prompt") }
                try registry.register(Prompt(name: "test_dynamic_prompt", description: "Added at runtime") { _, _ in
                    Prompt.Result(messages: [.user("A prompt added at runtime.")])
                })
                return .text("added test_dynamic_prompt")
            },
            Tool(
                name: "test_trigger_resource_update", description: "Announces that a resource changed (notifications/resources/updated)",
                inputSchema: ["type": "object", "properties": ["uri": ["type": "string"]], "required": ["uri"]]
            ) { arguments, _ in
                let uri = arguments["uri"]?.stringValue ?? "test://watched-resource"
                server.notifyResourceUpdated(uri: uri)
                return .text("updated \(uri)")
            },
        ]
    }
}
