/// A prompt template the client can list and fill in (spec `Prompt`).
public struct Prompt: Sendable {
    public struct Argument: Sendable, Hashable {
        public var name: String
        public var title: String?
        public var description: String?
        public var required: Bool

        public init(name: String, title: String? = nil, description: String? = nil, required: Bool = false) {
            self.name = name
            self.title = title
            self.description = description
            self.required = required
        }
    }

    /// One message of a `prompts/get` result.
    public struct Message: Sendable, Hashable {
        public enum Role: String, Sendable { case user, assistant }
        public var role: Role
        public var content: Content

        public init(role: Role, content: Content) {
            self.role = role
            self.content = content
        }

        public static func user(_ text: String) -> Message { Message(role: .user, content: .text(text)) }

        var json: JSONValue { ["role": .string(role.rawValue), "content": content.json] }
    }

    public struct Result: Sendable {
        public var description: String?
        public var messages: [Message]

        public init(description: String? = nil, messages: [Message]) {
            self.description = description
            self.messages = messages
        }
    }

    public typealias Renderer = @Sendable (_ arguments: [String: String], _ context: HandlerContext) async throws -> Result
    /// Suggests values for one argument given what was typed so far and the other arguments.
    public typealias Completer = @Sendable (_ argument: String, _ prefix: String, _ context: [String: String]) async -> [String]

    public var name: String
    public var title: String?
    public var description: String?
    public var arguments: [Argument]
    public var icons: [Icon]
    public var render: Renderer
    public var complete: Completer?

    public init(
        name: String, title: String? = nil, description: String? = nil, arguments: [Argument] = [], icons: [Icon] = [],
        complete: Completer? = nil, render: @escaping Renderer
    ) {
        self.name = name
        self.title = title
        self.description = description
        self.arguments = arguments
        self.icons = icons
        self.complete = complete
        self.render = render
    }

    public var listEntry: JSONValue {
        var object: JSONObject = ["name": .string(name)]
        if let title { object["title"] = .string(title) }
        if let description { object["description"] = .string(description) }
        if !arguments.isEmpty {
            object["arguments"] = .array(
                arguments.map { argument in
                    var entry: JSONObject = ["name": .string(argument.name)]
                    if let title = argument.title { entry["title"] = .string(title) }
                    if let description = argument.description { entry["description"] = .string(description) }
                    entry["required"] = .bool(argument.required)
                    return .object(entry)
                })
        }
        if !icons.isEmpty { object["icons"] = .array(icons.map(\.json)) }
        return .object(object)
    }
}
