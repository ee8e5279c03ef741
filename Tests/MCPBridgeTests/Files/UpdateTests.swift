import MCPBridge
import Testing

@Suite("Updates")
struct UpdateTests {
    @Test("refresh(ids:) applies a modification, a deletion and an addition")
    func refreshAppliesChanges() async throws {
        let dir = try TempDirectory()
        dir.write("a.txt", "original alpha")
        dir.write("b.txt", "bravo content")
        let index = try FolderIndex(root: dir.path)
        await index.build()
        #expect(index.count == 2)

        dir.write("a.txt", "rewritten omega")
        dir.remove("b.txt")
        dir.write("c.txt", "charlie content")
        await index.refresh(ids: ["a.txt", "b.txt", "c.txt"])

        #expect(index.search("alpha").isEmpty)
        #expect(index.ids(for: "omega") == ["a.txt"])
        #expect(index.search("bravo").isEmpty)
        #expect(index.ids(for: "charlie") == ["c.txt"])
        #expect(index.ids(for: "content") == ["c.txt"])
        #expect(index.documents.map(\.id) == ["a.txt", "c.txt"])
    }

    @Test("refresh ignores unsafe ids instead of indexing them")
    func refreshRefusesUnsafeIDs() async throws {
        let outside = try TempDirectory()
        outside.write("secret.txt", "topsecret")
        let dir = try TempDirectory()
        dir.symlink("link.txt", to: outside.url("secret.txt"))
        let index = try FolderIndex(root: dir.path)
        await index.refresh(ids: ["link.txt", "../secret.txt", outside.url("secret.txt")])
        #expect(index.count == 0)
    }

    @Test("rescan() finds changes by stamp and keeps unchanged documents")
    func rescanDetectsChanges() async throws {
        let dir = try TempDirectory()
        dir.write("keep.txt", "stable words")
        dir.write("edit.txt", "before")
        dir.write("gone.txt", "vanishing")
        let index = try FolderIndex(root: dir.path)
        await index.build()
        await index.rescan()
        #expect(index.count == 3, "a rescan with no changes must keep every document")

        dir.write("edit.txt", "after the edit, longer")
        dir.remove("gone.txt")
        dir.makeDirectory("new")
        dir.write("new/fresh.txt", "freshly added")
        await index.rescan()
        #expect(index.documents.map(\.id) == ["edit.txt", "keep.txt", "new/fresh.txt"])
        #expect(index.ids(for: "after") == ["edit.txt"])
        #expect(index.search("before").isEmpty)
        #expect(index.search("vanishing").isEmpty)
        #expect(index.ids(for: "freshly") == ["new/fresh.txt"])
    }

    @Test("repeated updates reuse slots and keep results consistent")
    func churn() async throws {
        let dir = try TempDirectory()
        for n in 0..<20 { dir.write("f\(n).txt", "shared term\(n)") }
        let index = try FolderIndex(root: dir.path)
        await index.build()
        let baseline = index.memoryEstimate
        for round in 0..<30 {
            let n = round % 20
            dir.write("f\(n).txt", "shared round\(round) term\(n)")
            await index.refresh(ids: ["f\(n).txt"])
        }
        #expect(index.count == 20)
        #expect(index.search("shared", limit: 50).count == 20)
        #expect(index.ids(for: "round29") == ["f9.txt"])
        #expect(index.search("round5").isEmpty, "old terms of a rewritten file must disappear")
        #expect(index.memoryEstimate < baseline * 3)
    }
}
