/// A resource with a fixed URI (spec `Resource`), and the closure that reads it.
public struct Resource: Sendable {
    public typealias Reader = @Sendable (_ context: HandlerContext) async throws -> [ResourceContents]

    public var uri: String
    public var name: String
    public var title: String?
    public var description: String?
    public var mimeType: String?
    public var size: Int?
    public var icons: [Icon]
    public var read: Reader

    public init(
        uri: String, name: String, title: String? = nil, description: String? = nil, mimeType: String? = nil,
        size: Int? = nil, icons: [Icon] = [], read: @escaping Reader
    ) {
        self.uri = uri
        self.name = name
        self.title = title
        self.description = description
        self.mimeType = mimeType
        self.size = size
        self.icons = icons
        self.read = read
    }

    /// A resource whose text never changes.
    public static func text(uri: String, name: String, description: String? = nil, mimeType: String = "text/plain", _ text: String) -> Resource {
        Resource(uri: uri, name: name, description: description, mimeType: mimeType, size: text.utf8.count) { _ in
            [ResourceContents(uri: uri, mimeType: mimeType, text: text)]
        }
    }

    public var listEntry: JSONValue {
        var object: JSONObject = ["uri": .string(uri), "name": .string(name)]
        if let title { object["title"] = .string(title) }
        if let description { object["description"] = .string(description) }
        if let mimeType { object["mimeType"] = .string(mimeType) }
        if let size { object["size"] = .number(JSONNumber(size)) }
        if !icons.isEmpty { object["icons"] = .array(icons.map(\.json)) }
        return .object(object)
    }
}

/// A family of resources named by an RFC 6570 URI template (spec `ResourceTemplate`).
public struct ResourceTemplate: Sendable {
    public typealias Reader = @Sendable (_ uri: String, _ variables: [String: String], _ context: HandlerContext) async throws -> [ResourceContents]
    /// Suggests values for one template variable (`completion/complete` with `ref/resource`).
    public typealias Completer = @Sendable (_ variable: String, _ prefix: String) async -> [String]

    public var template: URITemplate
    public var name: String
    public var title: String?
    public var description: String?
    public var mimeType: String?
    public var read: Reader
    public var complete: Completer?

    public init(
        uriTemplate: String, name: String, title: String? = nil, description: String? = nil, mimeType: String? = nil,
        complete: Completer? = nil, read: @escaping Reader
    ) {
        self.template = URITemplate(uriTemplate)
        self.name = name
        self.title = title
        self.description = description
        self.mimeType = mimeType
        self.complete = complete
        self.read = read
    }

    public var listEntry: JSONValue {
        var object: JSONObject = ["uriTemplate": .string(template.text), "name": .string(name)]
        if let title { object["title"] = .string(title) }
        if let description { object["description"] = .string(description) }
        if let mimeType { object["mimeType"] = .string(mimeType) }
        return .object(object)
    }
}
