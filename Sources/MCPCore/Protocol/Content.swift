/// One block of tool or prompt content (spec `ContentBlock`).
public enum Content: Sendable, Hashable {
    case text(String)
    /// Base64 image data with its MIME type.
    case image(data: String, mimeType: String)
    /// Base64 audio data with its MIME type (2025-03-26+).
    case audio(data: String, mimeType: String)
    /// A resource embedded in the result.
    case resource(ResourceContents)
    /// A link to a resource the client may read later (2025-06-18+).
    case resourceLink(uri: String, name: String, title: String? = nil, description: String? = nil, mimeType: String? = nil)

    public var json: JSONValue {
        var object = JSONObject()
        switch self {
        case .text(let text):
            object["type"] = "text"
            object["text"] = .string(text)
        case .image(let data, let mimeType):
            object["type"] = "image"
            object["data"] = .string(data)
            object["mimeType"] = .string(mimeType)
        case .audio(let data, let mimeType):
            object["type"] = "audio"
            object["data"] = .string(data)
            object["mimeType"] = .string(mimeType)
        case .resource(let contents):
            object["type"] = "resource"
            object["resource"] = contents.json
        case .resourceLink(let uri, let name, let title, let description, let mimeType):
            object["type"] = "resource_link"
            object["uri"] = .string(uri)
            object["name"] = .string(name)
            if let title { object["title"] = .string(title) }
            if let description { object["description"] = .string(description) }
            if let mimeType { object["mimeType"] = .string(mimeType) }
        }
        return .object(object)
    }
}

/// The contents of a resource: text, or base64 binary (spec `TextResourceContents` / `BlobResourceContents`).
public struct ResourceContents: Sendable, Hashable {
    public enum Body: Sendable, Hashable {
        case text(String)
        case blob(String)
    }

    public var uri: String
    public var mimeType: String?
    public var body: Body

    public init(uri: String, mimeType: String? = nil, text: String) {
        self.uri = uri
        self.mimeType = mimeType
        self.body = .text(text)
    }

    public init(uri: String, mimeType: String? = nil, blob base64: String) {
        self.uri = uri
        self.mimeType = mimeType
        self.body = .blob(base64)
    }

    public var json: JSONValue {
        var object: JSONObject = ["uri": .string(uri)]
        if let mimeType { object["mimeType"] = .string(mimeType) }
        switch body {
        case .text(let text): object["text"] = .string(text)
        case .blob(let blob): object["blob"] = .string(blob)
        }
        return .object(object)
    }
}

/// An icon a client may show next to a tool, resource or prompt (2025-11-25+).
public struct Icon: Sendable, Hashable {
    public var src: String
    public var mimeType: String?
    public var sizes: [String]

    public init(src: String, mimeType: String? = nil, sizes: [String] = []) {
        self.src = src
        self.mimeType = mimeType
        self.sizes = sizes
    }

    public var json: JSONValue {
        var object: JSONObject = ["src": .string(src)]
        if let mimeType { object["mimeType"] = .string(mimeType) }
        if !sizes.isEmpty { object["sizes"] = .array(sizes.map(JSONValue.string)) }
        return .object(object)
    }
}
