import Glibc
import Synchronization

/// A ranked full-text index over the files of one folder, kept current as files change.
///
/// All mutable state sits behind one `Mutex`: searches hold it for the scoring pass
/// only (tens of microseconds), and file reading and tokenising always happen outside
/// it, so a slow disk never blocks a query. A plain lock instead of an actor keeps
/// `search` synchronous and avoids a hop per request.
public final class FolderIndex: Sendable {
    /// The folder as given to `init`; kept for messages and the inotify fallback path.
    public let root: String
    public let options: FolderIndexOptions

    let opener: SafeOpener
    let scanner: FolderScanner
    let state = Mutex(State())

    struct State {
        var index = InvertedIndex()
        /// Files seen but not indexed (binary, too large), so a rescan does not
        /// re-read them until their stamp changes.
        var skipped: [String: FileStamp] = [:]
    }

    /// How much more a term in the file name counts than one in the body; the name
    /// is the best summary a folder of notes has. Directory names count a little.
    static let fileNameWeight: UInt32 = 3
    static let directoryWeight: UInt32 = 2
    /// Bytes sampled for the binary check.
    static let sniffBytes = 8 * 1024

    /// Opens `root` and holds its directory fd for the life of the index; every later
    /// access is relative to that fd, so renaming or replacing the path later cannot
    /// redirect the index elsewhere. Throws ``FolderIndexError`` if `root` is missing
    /// or not a directory. The root itself may be a symlink: it is chosen by the operator.
    public init(root: String, options: FolderIndexOptions = .init()) throws {
        let fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            let reason: FolderIndexError.Reason =
                switch code {
                case ENOENT: .notFound
                case ENOTDIR: .notDirectory
                default: .unreadable(code)
                }
            throw FolderIndexError(root: root, reason: reason)
        }
        self.root = root
        self.options = options
        self.opener = SafeOpener(rootFD: fd, includeHidden: options.includeHidden)
        self.scanner = FolderScanner(opener: opener, includeHidden: options.includeHidden)
    }

    deinit {
        close(opener.rootFD)
    }

    /// Scans the whole folder and indexes every text file, reading and tokenising in
    /// parallel. Calling it again behaves like ``rescan()``.
    public func build() async {
        await rescan()
    }

    /// The indexed files, sorted by id.
    public var documents: [IndexedDocument] {
        let list = state.withLock { state in
            state.index.documents.compactMap { document in
                document.map {
                    IndexedDocument(id: $0.id, title: $0.title, size: $0.stamp.size, modified: $0.stamp.modifiedSeconds)
                }
            }
        }
        return list.sorted { $0.id < $1.id }
    }

    public var count: Int {
        state.withLock { $0.index.count }
    }

    /// Changes with every file added, updated or removed.
    public var generation: UInt64 {
        state.withLock { $0.index.generation }
    }

    /// Approximate heap bytes held by the index structures.
    public var memoryEstimate: Int {
        state.withLock { $0.index.memoryEstimate }
    }

    /// Opens a file by id with the same rules the scanner follows, and returns all of
    /// it (up to `maxFileBytes`). Never follows symlinks or leaves the root; see
    /// ``FileAccessError/Reason`` for each refusal.
    public func fetch(id: String) throws(FileAccessError) -> FetchedDocument {
        let (fd, stamp) = try opener.openFile(id: id, maxBytes: options.maxFileBytes)
        defer { close(fd) }
        let bytes: [UInt8]
        switch readPrefix(of: fd, limit: min(stamp.size, options.maxFileBytes)) {
        case .success(let read): bytes = read
        case .failure(let failure): throw FileAccessError(id: id, reason: .unreadable(failure.code))
        }
        guard Self.looksLikeText(bytes, fileSize: stamp.size) else {
            throw FileAccessError(id: id, reason: .binary)
        }
        return FetchedDocument(
            id: id, title: Self.title(of: id), text: String(decoding: bytes, as: UTF8.self), size: stamp.size)
    }

    /// Re-reads each id and adds, updates or removes it. Meant for ids known to have
    /// changed (the watcher's events), so it re-reads even when the stamp looks the
    /// same: mtime granularity can hide a quick second write of the same size.
    public func refresh(ids: [String]) async {
        var unique = Set<String>()
        let ordered = ids.filter { unique.insert($0).inserted }
        await prepareAndMerge(ordered)
    }

    /// Full comparison of the folder against the index by mtime, size and inode:
    /// reads only new or changed files and drops deleted ones. This is the safety net
    /// for everything inotify cannot see.
    public func rescan() async {
        await rescan(onDirectory: { _, _ in })
    }

    func rescan(onDirectory: (Int32, String) -> Void) async {
        let entries = scanner.scan(onDirectory: onDirectory)
        let changed: [String] = state.withLock { state in
            var present = Set<String>()
            present.reserveCapacity(entries.count)
            var changed: [String] = []
            for entry in entries {
                present.insert(entry.id)
                if state.index.document(id: entry.id)?.stamp == entry.stamp { continue }
                if state.skipped[entry.id] == entry.stamp { continue }
                changed.append(entry.id)
            }
            let gone = state.index.slotByID.keys.filter { !present.contains($0) }
            for id in gone { state.index.remove(id: id) }
            state.skipped = state.skipped.filter { present.contains($0.key) }
            return changed
        }
        await prepareAndMerge(changed.sorted())
    }

    enum Outcome: Sendable {
        case indexed(PreparedDocument)
        case skipped(String, FileStamp)
        case gone(String)
    }

    /// Reads and tokenises `ids` on a few concurrent tasks and merges each finished
    /// batch under the lock, so memory stays bounded and queries keep being served.
    func prepareAndMerge(_ ids: [String]) async {
        guard !ids.isEmpty else { return }
        let batchSize = 64
        let workers = max(2, min(4, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
        var batches = stride(from: 0, to: ids.count, by: batchSize).map {
            Array(ids[$0..<min($0 + batchSize, ids.count)])
        }.makeIterator()
        await withTaskGroup(of: [Outcome].self) { group in
            func startNext() {
                guard let batch = batches.next() else { return }
                group.addTask { [self] in batch.map { prepare(id: $0) } }
            }
            for _ in 0..<workers { startNext() }
            while let outcomes = await group.next() {
                merge(outcomes)
                startNext()
            }
        }
    }

    func merge(_ outcomes: [Outcome]) {
        state.withLock { state in
            for outcome in outcomes {
                switch outcome {
                case .indexed(let document):
                    state.skipped.removeValue(forKey: document.id)
                    state.index.upsert(document)
                case .skipped(let id, let stamp):
                    state.index.remove(id: id)
                    state.skipped[id] = stamp
                case .gone(let id):
                    state.index.remove(id: id)
                    state.skipped.removeValue(forKey: id)
                }
            }
        }
    }

    /// Reads and tokenises one file. Runs off the lock.
    func prepare(id: String) -> Outcome {
        let fd: Int32
        let stamp: FileStamp
        do {
            (fd, stamp) = try opener.openFile(id: id, maxBytes: options.maxFileBytes)
        } catch {
            if case .tooLarge = error.reason, let status = lstatStamp(id) { return .skipped(id, status) }
            return .gone(id)
        }
        defer { close(fd) }
        guard case .success(let bytes) = readPrefix(of: fd, limit: min(stamp.size, options.indexedBytesPerFile))
        else { return .gone(id) }
        guard Self.looksLikeText(bytes, fileSize: stamp.size) else { return .skipped(id, stamp) }

        var counts: [String: UInt32] = [:]
        var length: UInt32 = 0
        bytes.withUnsafeBufferPointer { buffer in
            Tokenizer.forEachToken(in: buffer) { token, _ in
                counts[token, default: 0] += 1
                length &+= 1
                return true
            }
        }
        let parts = id.split(separator: "/")
        for (position, part) in parts.enumerated() {
            let weight = position == parts.count - 1 ? Self.fileNameWeight : Self.directoryWeight
            for token in Tokenizer.tokens(of: String(part)) {
                counts[token, default: 0] += weight
                length &+= weight
            }
        }
        return .indexed(PreparedDocument(id: id, title: Self.title(of: id), stamp: stamp, termCounts: counts, length: length))
    }

    /// Stamp of a file refused before opening (too large), so rescans skip it cheaply.
    private func lstatStamp(_ id: String) -> FileStamp? {
        guard let parts = try? opener.components(of: id), let last = parts.last,
            let parent = try? opener.openParent(of: parts, id: id)
        else { return nil }
        defer { if parent != opener.rootFD { close(parent) } }
        var status = stat()
        return fstatat(parent, last, &status, AT_SYMLINK_NOFOLLOW) == 0 ? FileStamp(status) : nil
    }

    static func title(of id: String) -> String {
        id.split(separator: "/").last.map(String.init) ?? id
    }

    /// Binary check on the first 8 KiB: NUL or invalid UTF-8 means binary.
    static func looksLikeText(_ bytes: [UInt8], fileSize: Int) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            let sample = UnsafeBufferPointer(rebasing: buffer.prefix(sniffBytes))
            return UTF8Scanner.looksLikeText(sample, isCut: sample.count < fileSize)
        }
    }
}
