import MCPBridge
import Glibc
import Testing

/// These use a one-hour rescan interval so only inotify can explain a change seen
/// within the 5 s deadline.
@Suite("Watching")
struct WatchTests {
    static let options = FolderIndexOptions(rescanInterval: .seconds(3600))

    @Test("watch() indexes a new file, an edit and a deletion")
    func fileLifecycle() async throws {
        let dir = try TempDirectory()
        dir.write("existing.txt", "already here")
        let index = try FolderIndex(root: dir.path, options: Self.options)
        await index.build()
        try await whileWatching(index) {
            dir.write("new.txt", "brandnew words")
            #expect(await eventually { index.ids(for: "brandnew") == ["new.txt"] })

            dir.write("new.txt", "edited text now longer")
            #expect(await eventually { index.ids(for: "edited") == ["new.txt"] })
            #expect(index.search("brandnew").isEmpty)

            dir.remove("new.txt")
            #expect(await eventually { index.search("edited").isEmpty && index.count == 1 })
        }
    }

    @Test("watch() picks up a new subdirectory and files created in it at once")
    func newSubdirectory() async throws {
        let dir = try TempDirectory()
        let index = try FolderIndex(root: dir.path, options: Self.options)
        await index.build()
        try await whileWatching(index) {
            dir.makeDirectory("sub")
            dir.write("sub/inner.txt", "innerword")
            // Nested directories created faster than watches can be added.
            dir.makeDirectory("sub/a")
            dir.makeDirectory("sub/a/b")
            dir.write("sub/a/b/deep.txt", "deepword")
            #expect(await eventually { index.ids(for: "innerword") == ["sub/inner.txt"] })
            #expect(await eventually { index.ids(for: "deepword") == ["sub/a/b/deep.txt"] })

            // A file added later in the new directory proves its watch is live.
            dir.write("sub/a/later.txt", "laterword")
            #expect(await eventually { index.ids(for: "laterword") == ["sub/a/later.txt"] })
        }
    }

    @Test("watch() drops the files of a directory that is removed")
    func removedDirectory() async throws {
        let dir = try TempDirectory()
        dir.makeDirectory("docs")
        dir.write("docs/one.txt", "dirword one")
        dir.write("keep.txt", "stays")
        let index = try FolderIndex(root: dir.path, options: Self.options)
        await index.build()
        try await whileWatching(index) {
            dir.remove("docs/one.txt")
            #expect(rmdirRelative(dir, "docs"))
            #expect(await eventually { index.documents.map(\.id) == ["keep.txt"] })
        }
    }

    @Test("watch() follows a directory renamed inside the root and one moved out of it")
    func movedDirectories() async throws {
        let dir = try TempDirectory()
        let outside = try TempDirectory()
        dir.makeDirectory("old")
        dir.write("old/moved.txt", "movedword")
        dir.makeDirectory("leaving")
        dir.write("leaving/away.txt", "awayword")
        let index = try FolderIndex(root: dir.path, options: Self.options)
        await index.build()
        try await whileWatching(index) {
            #expect(rename(dir.url("old"), dir.url("new")) == 0)
            #expect(await eventually { index.ids(for: "movedword") == ["new/moved.txt"] })
            // The renamed directory's watch must report under its new name.
            dir.write("new/added.txt", "addedword")
            #expect(await eventually { index.ids(for: "addedword") == ["new/added.txt"] })

            #expect(rename(dir.url("leaving"), outside.url("leaving")) == 0)
            #expect(await eventually { index.search("awayword").isEmpty })
            // Changes in the moved-away directory no longer reach the index.
            outside.write("leaving/after.txt", "afterword")
            try await Task.sleep(for: .milliseconds(400))
            #expect(index.search("afterword").isEmpty)
        }
    }

    @Test("cancelling watch() makes it return promptly")
    func cancellation() async throws {
        let dir = try TempDirectory()
        let index = try FolderIndex(root: dir.path, options: Self.options)
        let finished = Flag()
        let task = Task {
            await index.watch()
            finished.set()
        }
        // Let it get as far as blocking in poll before cancelling.
        dir.write("probe.txt", "probeword")
        #expect(await eventually { index.count == 1 })
        task.cancel()
        #expect(await eventually(timeout: .seconds(3)) { finished.isSet })
    }

    @Test("watch() in an already-cancelled task returns immediately")
    func cancelledBeforeStart() async throws {
        let dir = try TempDirectory()
        let index = try FolderIndex(root: dir.path, options: Self.options)
        let finished = Flag()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await index.watch()
            finished.set()
        }
        #expect(await eventually(timeout: .seconds(3)) { finished.isSet })
        task.cancel()
    }
}

private func rmdirRelative(_ dir: TempDirectory, _ relative: String) -> Bool {
    removeTree(dir.url(relative))
    return true
}
