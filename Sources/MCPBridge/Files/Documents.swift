/// One ranked result of ``FolderIndex/search(_:limit:)``.
public struct SearchHit: Sendable, Equatable {
    /// Path relative to the root, '/'-separated; pass it to `fetch(id:)`.
    public var id: String
    /// The file name, for display.
    public var title: String
    public var score: Double
    /// About 200 characters around the first matching term, whitespace collapsed,
    /// so a client can judge relevance without fetching the file.
    public var snippet: String

    public init(id: String, title: String, score: Double, snippet: String) {
        self.id = id
        self.title = title
        self.score = score
        self.snippet = snippet
    }
}

/// A file currently in the index.
public struct IndexedDocument: Sendable, Equatable {
    public var id: String
    public var title: String
    public var size: Int
    /// Modification time, seconds since the Unix epoch.
    public var modified: Int64

    public init(id: String, title: String, size: Int, modified: Int64) {
        self.id = id
        self.title = title
        self.size = size
        self.modified = modified
    }
}

/// The content of one file, as returned by ``FolderIndex/fetch(id:)``.
public struct FetchedDocument: Sendable {
    public var id: String
    public var title: String
    /// The whole file decoded as UTF-8. Only the first 8 KiB are checked strictly;
    /// an invalid sequence later in the file is replaced by U+FFFD rather than failing.
    public var text: String
    public var size: Int

    public init(id: String, title: String, text: String, size: Int) {
        self.id = id
        self.title = title
        self.text = text
        self.size = size
    }
}
