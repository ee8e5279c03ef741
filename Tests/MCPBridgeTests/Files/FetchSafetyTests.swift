import MCPBridge
import Glibc
import Testing

@Suite("Fetch and path safety")
struct FetchSafetyTests {
    /// A root with ordinary files plus every kind of link and special file a client
    /// might try to reach through, and a second directory outside the root.
    final class Fixture {
        let root: TempDirectory
        let outside: TempDirectory
        let index: FolderIndex

        init() async throws {
            root = try TempDirectory()
            outside = try TempDirectory()
            outside.write("secret.txt", "topsecret outside the root")
            root.write("inside.txt", "plain inside file")
            root.makeDirectory("sub")
            root.write("sub/file.txt", "nested file")
            root.write(".hidden", "hidden content")
            root.symlink("escape.txt", to: outside.url("secret.txt"))
            root.symlink("linkdir", to: outside.path)
            root.symlink("alias.txt", to: "inside.txt")
            root.symlink("sublink", to: "sub")
            precondition(mkfifo(root.url("pipe"), 0o644) == 0)
            index = try FolderIndex(root: root.path)
            await index.build()
        }
    }

    @Test(
        "unsafe or invalid ids are refused with a specific reason",
        arguments: [
            ("", FileAccessError.Reason.emptyID),
            ("../x", .parentReference),
            ("..", .parentReference),
            ("/etc/passwd", .absolutePath),
            ("a/../../x", .parentReference),
            ("sub/../inside.txt", .parentReference),
            ("a//b", .nonCanonical),
            ("sub/", .nonCanonical),
            ("./inside.txt", .nonCanonical),
            ("a\u{0}b", .nulByte),
            ("escape.txt", .symlink),  // symlink to a file outside the root
            ("linkdir/secret.txt", .symlink),  // symlinked directory inside the path
            ("alias.txt", .symlink),  // symlink to a file inside the root: refused too
            ("sublink/file.txt", .symlink),  // symlink to a directory inside the root
            ("missing.txt", .notFound),
            ("inside.txt/x", .notFound),
            ("sub", .notRegularFile),
            ("pipe", .notRegularFile),  // a FIFO: refused without blocking in open()
            (".hidden", .hidden),
        ])
    func refusesUnsafeIDs(id: String, reason: FileAccessError.Reason) async throws {
        let fixture = try await Fixture()
        #expect(throws: FileAccessError(id: id, reason: reason)) {
            try fixture.index.fetch(id: id)
        }
    }

    @Test("safe ids are fetched in full")
    func fetchesRegularFiles() async throws {
        let fixture = try await Fixture()
        let document = try fixture.index.fetch(id: "sub/file.txt")
        #expect(document.text == "nested file")
        #expect(document.title == "file.txt")
        #expect(document.size == 11)
    }

    @Test("the scanner never follows symlinks or indexes special files")
    func scannerSkipsLinks() async throws {
        let fixture = try await Fixture()
        #expect(fixture.index.documents.map(\.id) == ["inside.txt", "sub/file.txt"])
        #expect(fixture.index.search("topsecret").isEmpty)
    }

    @Test("error messages name the id and the reason")
    func errorDescription() {
        let error = FileAccessError(id: "../etc", reason: .parentReference)
        #expect(error.description.contains("'../etc'"))
        #expect(error.description.contains(".."))
        #expect(FileAccessError(id: "big", reason: .tooLarge(42)).description.contains("42 bytes"))
    }

    @Test("a binary file is not indexed and fetch refuses it", arguments: [
        [0x61, 0x62, 0x00, 0x63] as [UInt8],  // NUL
        [0x61, 0xFF, 0x62] as [UInt8],  // invalid UTF-8
        [0x61, 0xC3] as [UInt8],  // truncated sequence at end of file
    ])
    func binaryFiles(bytes: [UInt8]) async throws {
        let dir = try TempDirectory()
        dir.write("blob.bin", bytes: bytes)
        dir.write("text.txt", "text")
        let index = try FolderIndex(root: dir.path)
        await index.build()
        #expect(index.documents.map(\.id) == ["text.txt"])
        #expect(throws: FileAccessError(id: "blob.bin", reason: .binary)) { try index.fetch(id: "blob.bin") }
    }

    @Test("a multi-byte character cut by the 8 KiB sniff boundary is still text")
    func boundaryCharacter() async throws {
        let dir = try TempDirectory()
        // "é" occupies bytes 8191 and 8192, straddling the sample boundary.
        let text = String(repeating: "a", count: 8191) + "é tail words"
        dir.write("edge.txt", text)
        let index = try FolderIndex(root: dir.path)
        await index.build()
        #expect(index.ids(for: "tail") == ["edge.txt"])
        #expect(try index.fetch(id: "edge.txt").text == text)
    }

    @Test("a 1 GB sparse file is skipped from its size alone")
    func hugeSparseFile() async throws {
        let dir = try TempDirectory()
        let fd = open(dir.url("huge.log"), O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        try #require(fd >= 0)
        try #require(ftruncate(fd, 1 << 30) == 0)
        close(fd)
        dir.write("small.txt", "small file")
        let index = try FolderIndex(root: dir.path)
        await index.build()
        // The reason names the size: the file was judged by its stat, never opened for reading.
        #expect(index.documents.map(\.id) == ["small.txt"])
        #expect(throws: FileAccessError(id: "huge.log", reason: .tooLarge(1 << 30))) { try index.fetch(id: "huge.log") }
        // A rescan does not re-examine it either (its stamp is remembered).
        await index.rescan()
        #expect(index.count == 1)
    }

    @Test("a file name that is not valid UTF-8 is skipped without crashing")
    func nonUTF8FileName() async throws {
        let dir = try TempDirectory()
        dir.write("good.txt", "findme")
        let path = (Array(dir.path.utf8) + Array("/bad".utf8) + [0xFF] + Array(".txt".utf8) + [0]).map { CChar(bitPattern: $0) }
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        try #require(fd >= 0)
        _ = write(fd, "findme too", 10)
        close(fd)
        let index = try FolderIndex(root: dir.path)
        await index.build()
        #expect(index.documents.map(\.id) == ["good.txt"])
        #expect(index.ids(for: "findme") == ["good.txt"])
    }

    @Test("init fails clearly for a missing root or a file")
    func badRoots() throws {
        let dir = try TempDirectory()
        dir.write("file.txt", "x")
        #expect(throws: FolderIndexError(root: dir.url("nope"), reason: .notFound)) {
            try FolderIndex(root: dir.url("nope"))
        }
        #expect(throws: FolderIndexError(root: dir.url("file.txt"), reason: .notDirectory)) {
            try FolderIndex(root: dir.url("file.txt"))
        }
    }
}
