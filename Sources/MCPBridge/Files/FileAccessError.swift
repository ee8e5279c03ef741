/// Why a document id could not be opened.
///
/// Ids come from untrusted clients (an MCP `fetch(id)` call), so every refusal is
/// explicit and the message says which rule was hit, to help a client correct itself.
public struct FileAccessError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case emptyID
        case absolutePath
        /// A `..` component: ids may never climb out of the root.
        case parentReference
        case nulByte
        case notFound
        case notRegularFile
        /// A symbolic link anywhere along the path, even one that points inside the
        /// root: following links would let a link planted in the folder escape it.
        case symlink
        /// The file's size in bytes exceeds `maxFileBytes`.
        case tooLarge(Int)
        /// NUL byte or invalid UTF-8 in the first 8 KiB.
        case binary
        /// `errno` from the failing system call.
        case unreadable(Int32)
        /// An empty component (`a//b`, a trailing `/`) or a `.` component: ids are
        /// canonical so one file has exactly one id.
        case nonCanonical
        /// A component starting with `.` while `includeHidden` is false.
        case hidden
    }

    public var id: String
    public var reason: Reason

    public init(id: String, reason: Reason) {
        self.id = id
        self.reason = reason
    }

    public var description: String {
        let shown = id.split(separator: "\u{0}", omittingEmptySubsequences: false).joined(separator: "\\0")
        let why: String
        switch reason {
        case .emptyID: return "cannot open file: the id is empty"
        case .absolutePath: why = "absolute paths are not allowed; use a path relative to the folder"
        case .parentReference: why = "'..' components are not allowed"
        case .nulByte: why = "the id contains a NUL byte"
        case .notFound: why = "no such file"
        case .notRegularFile: why = "not a regular file"
        case .symlink: why = "the path goes through a symbolic link, which is never followed"
        case .tooLarge(let size): why = "the file is too large (\(size) bytes)"
        case .binary: why = "the file is binary (NUL byte or invalid UTF-8 in its first 8 KiB)"
        case .unreadable(let code): why = "the file could not be read (errno \(code))"
        case .nonCanonical: why = "empty or '.' path components are not allowed"
        case .hidden: why = "hidden files and directories (names starting with '.') are not served"
        }
        return "cannot open file '\(shown)': \(why)"
    }
}

/// Thrown by ``FolderIndex/init(root:options:)`` when the root cannot serve as an index root.
public struct FolderIndexError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case notFound
        case notDirectory
        case unreadable(Int32)
    }

    public var root: String
    public var reason: Reason

    public init(root: String, reason: Reason) {
        self.root = root
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .notFound: "cannot index folder '\(root)': it does not exist"
        case .notDirectory: "cannot index folder '\(root)': it is not a directory"
        case .unreadable(let code): "cannot index folder '\(root)': open failed (errno \(code))"
        }
    }
}
