/// Limits and policy for a ``FolderIndex``.
///
/// The defaults suit a folder of notes and documentation: large enough for any
/// hand-written text, small enough that one stray archive or disk image cannot
/// stall indexing or exhaust memory.
public struct FolderIndexOptions: Sendable {
    /// Files larger than this (by `fstat` size) are neither indexed nor fetched.
    /// The size is checked before any byte is read, so huge files cost one `stat`.
    public var maxFileBytes: Int
    /// Only this prefix of each file is tokenised; `fetch` still returns the whole
    /// file (up to ``maxFileBytes``). Bounds index memory per document.
    public var indexedBytesPerFile: Int
    /// Period of the full mtime/size/inode rescan that `watch()` runs as a fallback,
    /// because inotify misses changes on NFS, some FUSE and bind mounts, and can overflow.
    public var rescanInterval: Duration
    /// When false, files and directories whose name starts with "." are skipped
    /// and refused by `fetch`, so `.git` internals or `.env` secrets never leak.
    public var includeHidden: Bool

    public init(
        maxFileBytes: Int = 10 * 1024 * 1024,
        indexedBytesPerFile: Int = 1024 * 1024,
        rescanInterval: Duration = .seconds(60),
        includeHidden: Bool = false
    ) {
        self.maxFileBytes = max(0, maxFileBytes)
        self.indexedBytesPerFile = max(0, indexedBytesPerFile)
        self.rescanInterval = rescanInterval
        self.includeHidden = includeHidden
    }
}
