/// What a handler gets back on a retried 2026-07-28 request: the client's answers to the
/// input requests of earlier rounds, and the state it saved, both from a verified
/// `requestState` plus this request's `inputResponses`.
struct InputRound: Sendable {
    /// Answers by input-request key, accumulated over every round so far.
    var answers: JSONObject = [:]
    /// `inputResponses` for keys no sealed state asked about: used, after a shape check,
    /// if the handler asks for that key (clients may answer before being asked).
    var offered: JSONObject = [:]
    /// The handler's own state from ``InputRequired/state``.
    var savedState: JSONValue?
    /// Whether the request carried a valid `requestState`.
    var resumed = false
}

extension HandlerContext {
    /// The client's answer to the input request `key`, asking for it if there is none yet.
    ///
    /// One call for both eras: a legacy session is asked at once on this request's stream
    /// (a server→client request, answered by the client's POST); a 2026-07-28 request ends
    /// with an `InputRequiredResult` and this handler runs again when the client retries
    /// with the answer (basic/patterns/mrtr). Code before the call may therefore run more
    /// than once; keep side effects after the inputs you need.
    ///
    /// Throws `MCPError` -32021 when the client did not declare the capability the request
    /// needs; check ``clientSupports(_:)`` first to offer an alternative.
    public func input(_ key: String, _ request: InputRequest) async throws -> JSONValue {
        try await inputs([(key, request)])[key]!
    }

    /// Answers to several input requests at once; a 2026-07-28 client is asked for every
    /// missing one in the same round.
    public func inputs(_ requests: [(key: String, request: InputRequest)]) async throws -> [String: JSONValue] {
        var answers: [String: JSONValue] = [:]
        var missing: [(key: String, request: InputRequest)] = []
        for (key, request) in requests {
            if let answer = inputRound?.answers[key] {
                answers[key] = answer
            } else if let offered = inputRound?.offered[key] {
                if let problem = request.problem(with: offered) {
                    throw MCPError(code: .invalidParams, message: "inputResponses.\(key) \(problem)", httpStatus: 400)
                }
                answers[key] = offered
            } else {
                missing.append((key, request))
            }
        }
        guard !missing.isEmpty else { return answers }
        try Self.checkCapabilities(of: missing.map(\.request), declared: clientCapabilities)
        if let task = taskPromotion?.record {
            // Inside a task the work waits for `tasks/update` instead of ending the request.
            for (key, answer) in try await task.awaitInputs(missing) { answers[key] = answer }
            return answers
        }
        guard protocolVersion.isModern else {
            for (key, request) in missing {
                answers[key] = try await requestFromClient(method: request.method, params: request.params)
            }
            return answers
        }
        throw InputRequired(missing, state: inputRound?.savedState)
    }

    /// The state this handler saved with ``InputRequired/state`` in the previous round.
    public var savedState: JSONValue? { inputRound?.savedState }

    /// Whether this request is a retry carrying a verified `requestState`.
    public var isResumedRound: Bool { inputRound?.resumed ?? false }

    /// -32021 naming every capability the requests need that the client did not declare
    /// (mrtr §Server Requirements 7: undeclared input requests are never sent).
    static func checkCapabilities(of requests: [InputRequest], declared: JSONObject) throws(MCPError) {
        var missing = JSONObject()
        for request in requests {
            if let capability = request.capability, declared[capability] == nil { missing[capability] = [:] }
        }
        guard missing.isEmpty else {
            throw MCPError(
                code: .missingRequiredClientCapability,
                message: "Missing required client capability: \(missing.keys.joined(separator: ", ")) (needed to ask the client for input)",
                data: ["requiredCapabilities": .object(missing)])
        }
    }
}
