extension MCPServer {
    /// Runs a handler of `tools/call`, `prompts/get` or `resources/read` (the requests that
    /// may need client input, mrtr §Supported Requests) through its input rounds.
    ///
    /// 2026-07-28: the request's `requestState` and `inputResponses` become the handler's
    /// answers; a handler that needs more ends the request with an `InputRequiredResult`.
    /// Legacy: the handler's requests are asked on the request's own stream and the
    /// handler runs again with the answers, so the same handler code serves both eras.
    func withInputRounds(
        _ request: JSONRPCRequest, name: String, context: HandlerContext,
        _ body: (HandlerContext) async throws -> JSONObject
    ) async throws -> JSONObject {
        let binding = RequestStateSealer.Binding(method: request.method, name: name, principal: context.principal?.id)
        var context = context
        if context.protocolVersion.isModern {
            context.inputRound = try inputRound(of: request, binding: binding)
            for _ in 0..<16 {
                do {
                    return try await body(context)
                } catch let required as InputRequired {
                    guard let task = context.taskPromotion?.record else {
                        return try inputRequiredResult(required, answers: context.inputRound?.answers ?? [:], binding: binding, context: context)
                    }
                    // Inside a task the answers come through `tasks/update`; then the handler runs again.
                    try HandlerContext.checkCapabilities(of: required.requests.map(\.request), declared: context.clientCapabilities)
                    for (key, answer) in try await task.awaitInputs(required.requests) { context.inputRound?.answers[key] = answer }
                    context.inputRound?.savedState = required.state
                    context.inputRound?.resumed = true
                }
            }
            throw MCPError.internalError("\(request.method) '\(name)' kept asking for input after 16 rounds")
        }
        var round = InputRound()
        // Each round adds at least one answer; a handler that keeps asking anew is stopped.
        for _ in 0..<16 {
            context.inputRound = round
            do {
                return try await body(context)
            } catch let required as InputRequired {
                try HandlerContext.checkCapabilities(of: required.requests.map(\.request), declared: context.clientCapabilities)
                let missing = required.requests.filter { round.answers[$0.key] == nil }
                if let task = context.taskPromotion?.record {
                    // A 2025-11-25 task: the answers come through tasks/result.
                    for (key, answer) in try await task.awaitInputs(missing) { round.answers[key] = answer }
                } else {
                    for (key, input) in missing {
                        round.answers[key] = try await context.requestFromClient(method: input.method, params: input.params)
                    }
                }
                round.savedState = required.state
                round.resumed = true
            }
        }
        throw MCPError.internalError("\(request.method) '\(name)' kept asking for input after 16 rounds")
    }

    /// Reads `requestState` (sealed by this server, bound to this request) and the
    /// `inputResponses`: answers to the keys asked last round are checked now, others are
    /// kept in case the handler asks for them and otherwise ignored (mrtr §Error Handling).
    func inputRound(of request: JSONRPCRequest, binding: RequestStateSealer.Binding) throws(MCPError) -> InputRound {
        var round = InputRound()
        var asked = JSONObject()
        switch request.params["requestState"] {
        case .none: break
        case .some(.string(let token)):
            let payload: JSONObject
            do {
                payload = try requestStates.open(token, binding: binding)
            } catch {
                throw MCPError(code: .invalidParams, message: "Invalid requestState: \(error.message)", httpStatus: 400)
            }
            round.answers = payload["a"]?.objectValue ?? [:]
            asked = payload["q"]?.objectValue ?? [:]
            round.savedState = payload["s"]
            round.resumed = true
        case .some(let other):
            throw MCPError(code: .invalidParams, message: "\(request.method): 'requestState' must be a string, got \(other.typeName)", httpStatus: 400)
        }
        switch request.params["inputResponses"] {
        case .none: break
        case .some(.object(let responses)):
            for (key, response) in responses {
                guard case .string(let method)? = asked[key] else {
                    round.offered[key] = response
                    continue
                }
                if let problem = InputRequest(method: method).problem(with: response) {
                    throw MCPError(code: .invalidParams, message: "\(request.method): inputResponses.\(key) \(problem)", httpStatus: 400)
                }
                round.answers[key] = response
            }
        case .some(let other):
            throw MCPError(code: .invalidParams, message: "\(request.method): 'inputResponses' must be an object, got \(other.typeName)", httpStatus: 400)
        }
        return round
    }

    /// The `InputRequiredResult`: the requests and a sealed state holding the answers so far,
    /// the keys asked now and the handler's own state.
    func inputRequiredResult(
        _ required: InputRequired, answers: JSONObject, binding: RequestStateSealer.Binding, context: HandlerContext
    ) throws(MCPError) -> JSONObject {
        guard !required.requests.isEmpty || required.state != nil else {
            throw MCPError.internalError("\(binding.method) '\(binding.name)' asked for input without requests or state")
        }
        try HandlerContext.checkCapabilities(of: required.requests.map(\.request), declared: context.clientCapabilities)
        var requests = JSONObject()
        var asked = JSONObject()
        for (key, input) in required.requests {
            requests[key] = input.json
            asked[key] = .string(input.method)
        }
        var payload: JSONObject = ["a": .object(answers), "q": .object(asked)]
        if let state = required.state { payload["s"] = state }
        var result: JSONObject = ["resultType": "input_required"]
        if !requests.isEmpty { result["inputRequests"] = .object(requests) }
        result["requestState"] = .string(requestStates.seal(payload, binding: binding))
        return result
    }
}
