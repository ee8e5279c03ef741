import MCPCore

extension ConformancePack {
    static let nameSchema: JSONValue = ["type": "object", "properties": ["name": ["type": "string"]], "required": ["name"]]

    /// The multi-round-trip fixtures of the conformance suite (`input-required-result-*`):
    /// each asks through ``HandlerContext/input(_:_:)``, so the same tool works for a
    /// 2026-07-28 client (InputRequiredResult + requestState) and a legacy session
    /// (server→client requests on the call's stream).
    static var inputRequestTools: [Tool] {
        [
            Tool(name: "test_input_required_result_elicitation", description: "Asks the user for their name", inputSchema: noArguments) { _, context in
                let answer = try await context.input("user_name", .elicitation(message: "What is your name?", requestedSchema: nameSchema))
                return .text("Hello, \(elicitedName(answer) ?? "stranger")!")
            },
            Tool(name: "test_input_required_result_sampling", description: "Asks the client's model a question", inputSchema: noArguments) { _, context in
                let answer = try await context.input("capital_question", .sampling(prompt: "What is the capital of France?", maxTokens: 100))
                return .text("The model answered: \(sampledText(answer) ?? "(no text)")")
            },
            Tool(name: "test_input_required_result_list_roots", description: "Reads the client's roots", inputSchema: noArguments) { _, context in
                let answer = try await context.input("client_roots", .roots)
                return .text("Client roots: \(rootURIs(answer).joined(separator: ", "))")
            },
            Tool(name: "test_input_required_result_request_state", description: "Keeps state across rounds", inputSchema: noArguments) { _, context in
                guard context.isResumedRound else {
                    throw InputRequired([("confirm", confirmation)], state: ["purpose": "state-check"])
                }
                let answer = try await context.input("confirm", confirmation)
                let stateOK = context.savedState == ["purpose": "state-check"]
                return .text("\(stateOK ? "state-ok" : "state-lost"): confirmation \(answer["action"]?.stringValue ?? "missing")")
            },
            Tool(name: "test_input_required_result_multiple_inputs", description: "Asks for three inputs in one round", inputSchema: noArguments) { _, context in
                let answers = try await context.inputs([
                    ("user_name", .elicitation(message: "What is your name?", requestedSchema: nameSchema)),
                    ("greeting", .sampling(prompt: "Write a one-line greeting.", maxTokens: 50)),
                    ("client_roots", .roots),
                ])
                let name = answers["user_name"].flatMap(elicitedName) ?? "stranger"
                let greeting = answers["greeting"].flatMap(sampledText) ?? "hello"
                let roots = answers["client_roots"].map(rootURIs) ?? []
                return .text("\(greeting), \(name); roots: \(roots.joined(separator: ", "))")
            },
            Tool(name: "test_input_required_result_multi_round", description: "Asks in two rounds", inputSchema: noArguments) { _, context in
                let first = try await context.input("step1", .elicitation(message: "Step 1: your name?", requestedSchema: nameSchema))
                let second = try await context.input("step2", .elicitation(message: "Step 2: your name again?", requestedSchema: nameSchema))
                return .text("Completed both steps: \(elicitedName(first) ?? "-"), \(elicitedName(second) ?? "-")")
            },
            Tool(name: "test_input_required_result_tampered_state", description: "Refuses a tampered requestState", inputSchema: noArguments) { _, context in
                guard context.isResumedRound else {
                    throw InputRequired([("confirm", confirmation)], state: ["purpose": "tamper-check"])
                }
                _ = try await context.input("confirm", confirmation)
                return .text("state verified")
            },
            Tool(name: "test_input_required_result_capabilities", description: "Asks only through what the client supports", inputSchema: noArguments) { _, context in
                if context.clientSupports("elicitation") {
                    let answer = try await context.input("user_name", .elicitation(message: "What is your name?", requestedSchema: nameSchema))
                    return .text("Hello, \(elicitedName(answer) ?? "stranger")!")
                }
                if context.clientSupports("sampling") {
                    let answer = try await context.input("user_name", .sampling(prompt: "Suggest a name for a user.", maxTokens: 50))
                    return .text("Hello, \(sampledText(answer) ?? "stranger")!")
                }
                return .text("Hello, stranger! (the client offers neither elicitation nor sampling)")
            },
        ]
    }

    static let confirmation = InputRequest.elicitation(
        message: "Confirm to continue", requestedSchema: ["type": "object", "properties": ["confirm": ["type": "boolean"]], "required": ["confirm"]])

    static var inputRequestPrompts: [Prompt] {
        [
            Prompt(name: "test_input_required_result_prompt", description: "Asks for context before rendering") { _, context in
                let answer = try await context.input(
                    "user_context",
                    .elicitation(
                        message: "What should the prompt be about?",
                        requestedSchema: ["type": "object", "properties": ["context": ["type": "string"]], "required": ["context"]]))
                let topic = answer["content"]?["context"]?.stringValue ?? "(no context)"
                return Prompt.Result(messages: [.user("Please help with: \(topic)")])
            }
        ]
    }

    static func elicitedName(_ answer: JSONValue) -> String? {
        answer["content"]?["name"]?.stringValue ?? answer["content"]?["username"]?.stringValue
    }

    static func sampledText(_ answer: JSONValue) -> String? {
        answer["content"]?["text"]?.stringValue
    }

    static func rootURIs(_ answer: JSONValue) -> [String] {
        guard case .array(let roots)? = answer["roots"] else { return [] }
        return roots.compactMap { $0["uri"]?.stringValue }
    }
}
