import Glibc

/// Size, mtime and identity of a file, compared by rescans to find what changed.
struct FileStamp: Sendable, Equatable {
    var size: Int
    var modifiedNanoseconds: Int64
    var inode: UInt64
    var device: UInt64

    init(_ status: stat) {
        size = Int(status.st_size)
        modifiedNanoseconds = Int64(status.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(status.st_mtim.tv_nsec)
        inode = UInt64(status.st_ino)
        device = UInt64(status.st_dev)
    }

    var modifiedSeconds: Int64 { modifiedNanoseconds / 1_000_000_000 }
}

/// Opens files below a root directory by id without ever leaving the root.
///
/// Every access starts from a directory fd opened once, and walks the id one
/// component at a time with `openat(..., O_NOFOLLOW)`. A symlink anywhere on the path
/// fails the open instead of being resolved, which closes the `realpath`-then-open
/// race and needs no `openat2` (not callable from Swift without a C shim).
struct SafeOpener: Sendable {
    /// Owned by ``FolderIndex``, which closes it in `deinit`.
    let rootFD: Int32
    let includeHidden: Bool

    /// Splits an id into components, refusing anything that is not a canonical
    /// relative path. Hidden components are refused here too, so `fetch` can never
    /// serve what the scanner deliberately skipped.
    func components(of id: String) throws(FileAccessError) -> [String] {
        func refuse(_ reason: FileAccessError.Reason) -> FileAccessError {
            FileAccessError(id: id, reason: reason)
        }
        if id.isEmpty { throw refuse(.emptyID) }
        if id.utf8.contains(0) { throw refuse(.nulByte) }
        if id.utf8.first == UInt8(ascii: "/") { throw refuse(.absolutePath) }
        let parts = id.split(separator: "/", omittingEmptySubsequences: false)
        // `..` is checked over all parts first so `a//../x` reports the escape, not the `//`.
        if parts.contains("..") { throw refuse(.parentReference) }
        var result: [String] = []
        result.reserveCapacity(parts.count)
        for part in parts {
            if part.isEmpty || part == "." { throw refuse(.nonCanonical) }
            if !includeHidden, part.utf8.first == UInt8(ascii: ".") { throw refuse(.hidden) }
            result.append(String(part))
        }
        return result
    }

    /// Opens the directory that contains the last component and returns its fd
    /// (caller closes it unless it is `rootFD`).
    func openParent(of components: [String], id: String) throws(FileAccessError) -> Int32 {
        var current = rootFD
        for name in components.dropLast() {
            let next = openat(current, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            let code = errno
            if next < 0 {
                let reason = classifyOpenFailure(code, parent: current, name: name)
                if current != rootFD { close(current) }
                throw FileAccessError(id: id, reason: reason)
            }
            if current != rootFD { close(current) }
            current = next
        }
        return current
    }

    /// Opens a directory below the root (`[]` means the root itself, duplicated) for
    /// the scanner and the watcher. Returns nil on any refusal.
    func openDirectory(_ components: [String]) -> Int32? {
        if components.isEmpty {
            // A fresh open, not dup(): a dup shares the directory offset, so a second
            // scan would start at end-of-directory and see an empty folder.
            let fresh = openat(rootFD, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            return fresh >= 0 ? fresh : nil
        }
        // Callers build these from scanned names, but a bad component must never reach openat.
        guard !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." || $0.utf8.contains(0) }),
            let parent = try? openParent(of: components, id: ""), let last = components.last
        else { return nil }
        defer { if parent != rootFD { close(parent) } }
        let fd = openat(parent, last, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        return fd >= 0 ? fd : nil
    }

    /// Opens a regular file by id, checking type and size before returning the fd.
    func openFile(id: String, maxBytes: Int) throws(FileAccessError) -> (fd: Int32, stamp: FileStamp) {
        let parts = try components(of: id)
        guard let last = parts.last else { throw FileAccessError(id: id, reason: .emptyID) }
        let parent = try openParent(of: parts, id: id)
        defer { if parent != rootFD { close(parent) } }

        // lstat first: a FIFO or device must be refused before open() can block on it.
        var status = stat()
        if fstatat(parent, last, &status, AT_SYMLINK_NOFOLLOW) != 0 {
            throw FileAccessError(id: id, reason: errno == ENOENT ? .notFound : .unreadable(errno))
        }
        try check(status, id: id, maxBytes: maxBytes)

        let fd = openat(parent, last, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        if fd < 0 {
            let code = errno
            throw FileAccessError(id: id, reason: classifyOpenFailure(code, parent: parent, name: last))
        }
        // Re-check on the fd itself: the entry may have been swapped since the lstat.
        if fstat(fd, &status) != 0 {
            let code = errno
            close(fd)
            throw FileAccessError(id: id, reason: .unreadable(code))
        }
        do {
            try check(status, id: id, maxBytes: maxBytes)
        } catch {
            close(fd)
            throw error
        }
        return (fd, FileStamp(status))
    }

    private func check(_ status: stat, id: String, maxBytes: Int) throws(FileAccessError) {
        let type = status.st_mode & S_IFMT
        if type == S_IFLNK { throw FileAccessError(id: id, reason: .symlink) }
        if type != S_IFREG { throw FileAccessError(id: id, reason: .notRegularFile) }
        if Int(status.st_size) > maxBytes { throw FileAccessError(id: id, reason: .tooLarge(Int(status.st_size))) }
    }

    private func classifyOpenFailure(_ code: Int32, parent: Int32, name: String) -> FileAccessError.Reason {
        switch code {
        case ELOOP:
            return .symlink
        case ENOENT:
            return .notFound
        case ENOTDIR:
            // O_DIRECTORY on a symlink reports ENOTDIR on some kernels; tell the cases apart.
            var status = stat()
            if fstatat(parent, name, &status, AT_SYMLINK_NOFOLLOW) == 0, status.st_mode & S_IFMT == S_IFLNK {
                return .symlink
            }
            return .notFound
        default:
            return .unreadable(code)
        }
    }
}

/// `errno` of a failed `read`.
struct ReadFailure: Error {
    var code: Int32
}

/// Reads at most `limit` bytes from `fd`, retrying short reads and EINTR.
func readPrefix(of fd: Int32, limit: Int) -> Result<[UInt8], ReadFailure> {
    guard limit > 0 else { return .success([]) }
    var failure: Int32 = 0
    let bytes = [UInt8](unsafeUninitializedCapacity: limit) { buffer, initialized in
        initialized = 0
        guard let base = buffer.baseAddress else { return }
        while initialized < limit {
            let got = read(fd, base + initialized, limit - initialized)
            if got > 0 {
                initialized += got
            } else if got == 0 {
                return
            } else if errno != EINTR {
                failure = errno
                return
            }
        }
    }
    return failure == 0 ? .success(bytes) : .failure(ReadFailure(code: failure))
}
