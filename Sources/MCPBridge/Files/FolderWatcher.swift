import Glibc
import Synchronization

/// What changed during one quiet period of inotify events.
struct WatchBatch: Sendable {
    /// Files to re-stat: created, written, moved or deleted, plus every file found in
    /// a directory that appeared (it may have filled before its watch existed).
    var ids = Set<String>()
    /// Directories deleted or moved away; their indexed files must be re-checked.
    var removedDirectories = Set<String>()
    /// The kernel queue overflowed: events were lost, only a full rescan is safe.
    var overflow = false

    var isEmpty: Bool { ids.isEmpty && removedDirectories.isEmpty && !overflow }
}

/// Recursive inotify watching for one folder.
///
/// inotify is not recursive, so there is one watch per directory, added when the
/// directory is scanned or appears. Watches are added through `/proc/self/fd/N` of a
/// directory fd opened safely from the root, so the watched inode is exactly the one
/// scanned even if a path component is swapped for a symlink meanwhile.
///
/// `run` blocks in `poll()` on a dedicated thread (blocking would starve the small
/// cooperative pool); `stop()` wakes it through a self-pipe, and the poll also has a
/// timeout so the thread re-checks the stop flag even if the wake-up were lost.
final class FolderWatcher: Sendable {
    private let inotifyFD: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let scanner: FolderScanner
    private let rootPath: String
    private let includeHidden: Bool
    private let debounce: Duration
    private let stopped = Atomic<Bool>(false)
    private let table = Mutex(WatchTable())

    struct WatchTable {
        var directoryByWatch: [Int32: String] = [:]
        var watchByDirectory: [String: Int32] = [:]
    }

    // Kernel ABI constants (linux/inotify.h), spelled out to avoid Int32/UInt32 import quirks.
    static let inCloseWrite: UInt32 = 0x0000_0008
    static let inMovedFrom: UInt32 = 0x0000_0040
    static let inMovedTo: UInt32 = 0x0000_0080
    static let inCreate: UInt32 = 0x0000_0100
    static let inDelete: UInt32 = 0x0000_0200
    static let inDeleteSelf: UInt32 = 0x0000_0400
    static let inMoveSelf: UInt32 = 0x0000_0800
    static let inQueueOverflow: UInt32 = 0x0000_4000
    static let inIgnored: UInt32 = 0x0000_8000
    static let inOnlyDir: UInt32 = 0x0100_0000
    static let inDontFollow: UInt32 = 0x0200_0000
    static let inIsDir: UInt32 = 0x4000_0000
    /// Close-after-write and renames rather than IN_MODIFY: editors save through a
    /// temp file and rename, and a half-written file is not worth indexing.
    static let mask: UInt32 =
        inCloseWrite | inMovedTo | inMovedFrom | inDelete | inCreate | inDeleteSelf | inMoveSelf | inOnlyDir

    init(scanner: FolderScanner, rootPath: String, includeHidden: Bool, debounce: Duration = .milliseconds(150)) throws {
        let fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard fd >= 0 else { throw FolderIndexError(root: rootPath, reason: .unreadable(errno)) }
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else {
            let code = errno
            close(fd)
            throw FolderIndexError(root: rootPath, reason: .unreadable(code))
        }
        for end in pipeFDs {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
        }
        inotifyFD = fd
        wakeRead = pipeFDs[0]
        wakeWrite = pipeFDs[1]
        self.scanner = scanner
        self.rootPath = rootPath
        self.includeHidden = includeHidden
        self.debounce = debounce
    }

    deinit {
        close(inotifyFD)
        close(wakeRead)
        close(wakeWrite)
    }

    /// Wakes `run` and makes it return. Safe to call any number of times, from anywhere.
    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// Adds (or re-points) the watch for directory `path`, whose fd is open.
    func addWatch(fd: Int32, path: String) {
        var wd = inotify_add_watch(inotifyFD, "/proc/self/fd/\(fd)", Self.mask)
        if wd < 0 {
            // No /proc: fall back to the path, still refusing a symlink at the end.
            let full = path.isEmpty ? rootPath : rootPath + "/" + path
            wd = inotify_add_watch(inotifyFD, full, Self.mask | Self.inDontFollow)
        }
        guard wd >= 0 else { return }
        table.withLock { table in
            if let old = table.directoryByWatch[wd], old != path { table.watchByDirectory.removeValue(forKey: old) }
            table.directoryByWatch[wd] = path
            table.watchByDirectory[path] = wd
        }
    }

    var watchCount: Int { table.withLock { $0.directoryByWatch.count } }

    /// Watches `directory` and everything below it; returns the files found there.
    func watchTree(from directory: String) -> [String] {
        scanner.scan(from: directory) { fd, path in addWatch(fd: fd, path: path) }.map(\.id)
    }

    /// Blocks until `stop()`, delivering a batch after each quiet period of `debounce`
    /// (or at least once a second while events keep coming).
    func run(deliver: (WatchBatch) -> Void) {
        let bufferSize = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 8)
        defer { buffer.deallocate() }
        var pending = WatchBatch()
        let clock = ContinuousClock()
        var lastEvent = clock.now
        var firstEvent = clock.now
        let maximumDelay = Duration.seconds(1)

        while !stopped.load(ordering: .acquiring) {
            var timeout: Int32 = 1000
            if !pending.isEmpty {
                let now = clock.now
                if now - lastEvent >= debounce || now - firstEvent >= maximumDelay {
                    deliver(pending)
                    pending = WatchBatch()
                    continue
                }
                timeout = Int32(max(1, Self.milliseconds(debounce - (now - lastEvent))))
            }
            var fds = [
                pollfd(fd: inotifyFD, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, 2, timeout)
            if ready < 0 && errno != EINTR { break }
            if fds[1].revents != 0 { break }
            guard fds[0].revents != 0 else { continue }
            while true {
                let got = read(inotifyFD, buffer, bufferSize)
                if got <= 0 { break }
                if pending.isEmpty { firstEvent = clock.now }
                parse(UnsafeRawBufferPointer(start: buffer, count: got), into: &pending)
                lastEvent = clock.now
            }
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Steps through `{wd, mask, cookie, len, name[len]}` records (16-byte header).
    private func parse(_ records: UnsafeRawBufferPointer, into batch: inout WatchBatch) {
        let header = 16
        var offset = 0
        while offset + header <= records.count {
            let wd = records.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let mask = records.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let nameLength = Int(records.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let nameEnd = min(offset + header + nameLength, records.count)
            let nameBytes = records[(offset + header)..<nameEnd].prefix { $0 != 0 }
            offset = nameEnd
            handle(wd: wd, mask: mask, name: Array(nameBytes), into: &batch)
        }
    }

    private func handle(wd: Int32, mask: UInt32, name: [UInt8], into batch: inout WatchBatch) {
        if mask & Self.inQueueOverflow != 0 {
            batch.overflow = true
            return
        }
        if mask & Self.inIgnored != 0 {
            table.withLock { table in
                if let path = table.directoryByWatch.removeValue(forKey: wd), table.watchByDirectory[path] == wd {
                    table.watchByDirectory.removeValue(forKey: path)
                }
            }
            return
        }
        guard let directory = table.withLock({ $0.directoryByWatch[wd] }), !name.isEmpty else { return }
        // Same naming rules as the scanner: non-UTF-8 and (by default) hidden names are ignored.
        guard let text = String(validating: name, as: UTF8.self) else { return }
        if !includeHidden, name.first == UInt8(ascii: ".") { return }
        let path = directory.isEmpty ? text : directory + "/" + text

        guard mask & Self.inIsDir != 0 else {
            batch.ids.insert(path)
            return
        }
        if mask & (Self.inDelete | Self.inMovedFrom) != 0 {
            unwatchTree(path)
            batch.removedDirectories.insert(path)
        }
        if mask & (Self.inCreate | Self.inMovedTo) != 0 {
            // Watch first, then list: anything created in between is seen by one or the other.
            batch.ids.formUnion(watchTree(from: path))
        }
    }

    /// Drops the watches of a directory that left (or left its place in) the tree;
    /// a moved directory keeps its watch in the kernel and would report stale paths.
    private func unwatchTree(_ path: String) {
        let prefix = path + "/"
        let removed: [Int32] = table.withLock { table in
            let doomed = table.watchByDirectory.filter { $0.key == path || $0.key.hasPrefix(prefix) }
            for (directory, wd) in doomed {
                table.watchByDirectory.removeValue(forKey: directory)
                table.directoryByWatch.removeValue(forKey: wd)
            }
            return Array(doomed.values)
        }
        for wd in removed { _ = inotify_rm_watch(inotifyFD, wd) }
    }
}
