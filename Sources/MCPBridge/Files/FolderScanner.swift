import Glibc

/// Walks the directory tree below the root and reports regular files with their stamps.
///
/// The walk descends with `openat(O_NOFOLLOW | O_DIRECTORY)` from the parent's fd, so
/// it never follows a symlink (to a file or a directory) and never leaves the root.
/// Entries whose names are not valid UTF-8 are skipped: an id must round-trip through
/// JSON as a string, and a lossy name could not be opened again. Hidden entries are
/// skipped unless `includeHidden`.
struct FolderScanner: Sendable {
    struct Entry: Sendable {
        var id: String
        var stamp: FileStamp
    }

    let opener: SafeOpener
    let includeHidden: Bool
    /// Bounds open fds (one per level) and defends against pathological nesting.
    let maximumDepth = 64

    /// Scans the subtree at `directory` ("" for the root). `onDirectory` sees every
    /// directory while its fd is open, which is how the watcher adds inotify watches
    /// on exactly the inode that was scanned.
    func scan(from directory: String = "", onDirectory: (Int32, String) -> Void = { _, _ in }) -> [Entry] {
        let components = directory.isEmpty ? [] : directory.split(separator: "/").map(String.init)
        guard let fd = opener.openDirectory(components) else { return [] }
        var entries: [Entry] = []
        walk(fd, path: directory, depth: 0, into: &entries, onDirectory: onDirectory)
        return entries
    }

    /// Takes ownership of `fd`.
    private func walk(
        _ fd: Int32, path: String, depth: Int, into entries: inout [Entry],
        onDirectory: (Int32, String) -> Void
    ) {
        onDirectory(fd, path)
        guard let stream = fdopendir(fd) else {
            close(fd)
            return
        }
        defer { closedir(stream) }
        let parent = dirfd(stream)
        while let entry = readdir(stream) {
            let type = Int(entry.pointee.d_type)
            let nameBytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix { $0 != 0 })
            }
            guard let name = acceptedName(nameBytes) else { continue }
            let childPath = path.isEmpty ? name : path + "/" + name

            if type == Int(DT_DIR) || type == Int(DT_UNKNOWN) {
                // O_NOFOLLOW|O_DIRECTORY refuses symlinks and non-directories alike, so
                // DT_UNKNOWN (some filesystems) needs no separate stat to tell them apart.
                let child = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if child >= 0 {
                    if depth < maximumDepth {
                        walk(child, path: childPath, depth: depth + 1, into: &entries, onDirectory: onDirectory)
                    } else {
                        close(child)
                    }
                    continue
                }
                if type == Int(DT_DIR) { continue }
            }
            guard type == Int(DT_REG) || type == Int(DT_UNKNOWN) else { continue }
            var status = stat()
            guard fstatat(parent, name, &status, AT_SYMLINK_NOFOLLOW) == 0,
                status.st_mode & S_IFMT == S_IFREG
            else { continue }
            entries.append(Entry(id: childPath, stamp: FileStamp(status)))
        }
    }

    private func acceptedName(_ bytes: [UInt8]) -> String? {
        guard let first = bytes.first else { return nil }
        if first == UInt8(ascii: ".") {
            if bytes.count == 1 || (bytes.count == 2 && bytes[1] == UInt8(ascii: ".")) { return nil }
            if !includeHidden { return nil }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
