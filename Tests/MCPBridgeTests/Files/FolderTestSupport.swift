import MCPBridge
import Glibc
import Synchronization
import Testing

/// A real directory under /tmp, removed (with everything in it) when released.
final class TempDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/filesearch-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw SetupError(message: "mkdtemp failed, errno \(errno)") }
        path = String(cString: made)
    }

    deinit { removeTree(path) }

    func url(_ relative: String) -> String { path + "/" + relative }

    @discardableResult
    func write(_ relative: String, _ text: String) -> String {
        write(relative, bytes: Array(text.utf8))
    }

    @discardableResult
    func write(_ relative: String, bytes: [UInt8]) -> String {
        let full = url(relative)
        let fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        precondition(fd >= 0, "cannot create \(full): errno \(errno)")
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let wrote = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                precondition(wrote > 0)
                offset += wrote
            }
        }
        close(fd)
        return relative
    }

    func makeDirectory(_ relative: String) {
        precondition(mkdir(url(relative), 0o755) == 0, "mkdir \(relative): errno \(errno)")
    }

    func symlink(_ relative: String, to target: String) {
        precondition(Glibc.symlink(target, url(relative)) == 0, "symlink \(relative): errno \(errno)")
    }

    func remove(_ relative: String) {
        precondition(unlink(url(relative)) == 0, "unlink \(relative): errno \(errno)")
    }
}

struct SetupError: Error {
    var message: String
}

/// Deletes a tree using byte names, so entries with non-UTF-8 names go too.
func removeTree(_ path: String) {
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else {
        unlink(path)
        return
    }
    removeContents(of: fd)
    rmdir(path)
}

private func removeContents(of fd: Int32) {
    guard let stream = fdopendir(fd) else {
        close(fd)
        return
    }
    defer { closedir(stream) }
    while let entry = readdir(stream) {
        var name = withUnsafeBytes(of: entry.pointee.d_name) { raw in raw.prefix { $0 != 0 }.map { CChar(bitPattern: $0) } }
        if name == [46] || name == [46, 46] { continue }
        name.append(0)
        let parent = dirfd(stream)
        let child = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if child >= 0 {
            removeContents(of: child)
            unlinkat(parent, name, AT_REMOVEDIR)
        } else {
            unlinkat(parent, name, 0)
        }
    }
}

final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

/// Runs `body` while `index.watch()` runs in a task, then cancels the watcher and
/// checks that it returns promptly.
func whileWatching(_ index: FolderIndex, _ body: () async throws -> Void) async throws {
    let finished = Flag()
    let task = Task {
        await index.watch()
        finished.set()
    }
    defer { task.cancel() }
    try await body()
    task.cancel()
    let stopped = await eventually(timeout: .seconds(5)) { finished.isSet }
    #expect(stopped, "watch() did not return after cancellation")
}

extension FolderIndex {
    func ids(for query: String) -> [String] { search(query).map(\.id) }
}
