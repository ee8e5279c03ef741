/// Something a handler needs from the client before it can finish: an elicitation, a
/// sampling, or the client's roots (2026-07-28 basic/patterns/mrtr §InputRequests; in the
/// legacy era the same requests go to the client as server→client requests).
public struct InputRequest: Sendable, Equatable {
    /// `elicitation/create`, `sampling/createMessage` or `roots/list`.
    public var method: String
    public var params: JSONObject

    public init(method: String, params: JSONObject = [:]) {
        self.method = method
        self.params = params
    }

    /// Asks the user to fill in a form (`elicitation/create`, form mode).
    public static func elicitation(message: String, requestedSchema: JSONValue) -> InputRequest {
        InputRequest(method: "elicitation/create", params: ["mode": "form", "message": .string(message), "requestedSchema": requestedSchema])
    }

    /// Asks the client's model to answer `prompt` (`sampling/createMessage`).
    public static func sampling(prompt: String, maxTokens: Int, systemPrompt: String? = nil) -> InputRequest {
        var params: JSONObject = [
            "messages": [["role": "user", "content": ["type": "text", "text": .string(prompt)]]],
            "maxTokens": .number(JSONNumber(maxTokens)),
        ]
        if let systemPrompt { params["systemPrompt"] = .string(systemPrompt) }
        return InputRequest(method: "sampling/createMessage", params: params)
    }

    /// Asks for the client's roots (`roots/list`).
    public static let roots = InputRequest(method: "roots/list")

    /// The client capability this request needs (`elicitation`, `sampling`, `roots`).
    public var capability: String? { HandlerContext.capability(for: method) }

    /// The wire form inside `inputRequests`.
    var json: JSONValue { ["method": .string(method), "params": .object(params)] }

    /// Why `response` is not a result of this request, or `nil` when it is.
    func problem(with response: JSONValue) -> String? {
        guard case .object(let object) = response else { return "must be an object, got \(response.typeName)" }
        switch method {
        case "elicitation/create":
            guard case .string(let action)? = object["action"], ["accept", "decline", "cancel"].contains(action) else {
                return "must be an elicitation result with 'action' accept, decline or cancel"
            }
        case "sampling/createMessage":
            guard object["role"]?.stringValue != nil, object["content"] != nil else {
                return "must be a sampling result with 'role' and 'content'"
            }
        case "roots/list":
            guard case .array? = object["roots"] else { return "must be a roots result with a 'roots' array" }
        default: break
        }
        return nil
    }
}

/// Thrown by a handler (directly, or through ``HandlerContext/input(_:_:)``) when it needs
/// input from the client. A 2026-07-28 request then answers with an `InputRequiredResult`
/// carrying `requests` and a sealed `requestState`; the handler runs again on the retry
/// and finds the answers in its context.
public struct InputRequired: Error, Sendable {
    /// Keyed requests, in the order the handler asked.
    public var requests: [(key: String, request: InputRequest)]
    /// Handler-defined state to get back on the retry (``HandlerContext/savedState``), sealed with the answers.
    public var state: JSONValue?

    public init(_ requests: [(key: String, request: InputRequest)], state: JSONValue? = nil) {
        self.requests = requests
        self.state = state
    }
}
