import MCPBridge
import Testing

@Suite("Search")
struct SearchTests {
    @Test("a file with the term in its name and body outranks one that mentions it once")
    func nameAndBodyBeatSingleMention() async throws {
        let dir = try TempDirectory()
        dir.write("swift-guide.md", "A guide to swift concurrency and swift actors.")
        dir.write("notes.md", "Meeting notes: we talked about swift once, then lunch and budgets.")
        dir.write("other.md", "Nothing relevant here at all.")
        let index = try FolderIndex(root: dir.path)
        await index.build()
        #expect(index.ids(for: "swift") == ["swift-guide.md", "notes.md"])
    }

    @Test("rarer terms weigh more than common ones")
    func rareTermsWeighMore() async throws {
        let dir = try TempDirectory()
        dir.write("d1.txt", "apple filler words")
        dir.write("d2.txt", "kiwi filler words")
        for n in 3...7 { dir.write("d\(n).txt", "apple other stuff") }
        let index = try FolderIndex(root: dir.path)
        await index.build()
        let hits = index.search("apple kiwi")
        #expect(hits.first?.id == "d2.txt")
        #expect(hits.count == 7)
    }

    @Test("equal scores are ordered by id")
    func deterministicTies() async throws {
        let dir = try TempDirectory()
        for name in ["c.txt", "a.txt", "b.txt"] { dir.write(name, "identical content here") }
        let index = try FolderIndex(root: dir.path)
        await index.build()
        #expect(index.ids(for: "identical") == ["a.txt", "b.txt", "c.txt"])
        #expect(index.search("identical", limit: 2).map(\.id) == ["a.txt", "b.txt"])
    }

    @Test(
        "non-ASCII words are found regardless of case",
        arguments: [("GRÖSSE", false), ("größe", true), ("Größe", true), ("CAFÉ", true), ("naïve", true)])
    func unicodeQueries(query: String, found: Bool) async throws {
        let dir = try TempDirectory()
        dir.write("de.txt", "Die Größe der Datei")
        dir.write("fr.txt", "Un naïve café au lait")
        let index = try FolderIndex(root: dir.path)
        await index.build()
        #expect(!index.search(query).isEmpty == found)
    }

    @Test("the file name alone makes a document findable")
    func titleOnlyMatch() async throws {
        let dir = try TempDirectory()
        dir.makeDirectory("projects")
        dir.write("projects/roadmap.md", "Quarterly plans.")
        let index = try FolderIndex(root: dir.path)
        await index.build()
        let hit = try #require(index.search("roadmap").first)
        #expect(hit.id == "projects/roadmap.md")
        #expect(hit.title == "roadmap.md")
        #expect(hit.snippet == "Quarterly plans.")
        #expect(index.ids(for: "projects") == ["projects/roadmap.md"])
    }

    @Test("the snippet is about 200 characters around the first match, whitespace collapsed")
    func snippetAroundMatch() async throws {
        let dir = try TempDirectory()
        let filler = (0..<200).map { "word\($0)" }.joined(separator: "  \n\t ")
        dir.write("long.txt", filler + " the NEEDLE is here " + filler)
        let index = try FolderIndex(root: dir.path)
        await index.build()
        let hit = try #require(index.search("needle").first)
        #expect(hit.snippet.contains("NEEDLE is here"))
        #expect(hit.snippet.count <= 205)
        #expect(hit.snippet.count >= 150)
        #expect(!hit.snippet.contains("  ") && !hit.snippet.contains("\n") && !hit.snippet.contains("\t"))
        #expect(hit.snippet.hasPrefix("…") && hit.snippet.hasSuffix("…"))
    }

    @Test("queries without usable terms and non-positive limits return nothing")
    func emptyQueries() async throws {
        let dir = try TempDirectory()
        dir.write("a.txt", "something")
        let index = try FolderIndex(root: dir.path)
        await index.build()
        #expect(index.search("").isEmpty)
        #expect(index.search("? ! x").isEmpty)
        #expect(index.search("something", limit: 0).isEmpty)
        #expect(index.search("absent").isEmpty)
    }

    @Test("documents are listed sorted by id with size and mtime")
    func documentListing() async throws {
        let dir = try TempDirectory()
        dir.makeDirectory("b")
        dir.write("b/z.txt", "zz")
        dir.write("a.txt", "hello")
        let index = try FolderIndex(root: dir.path)
        await index.build()
        let documents = index.documents
        #expect(documents.map(\.id) == ["a.txt", "b/z.txt"])
        #expect(documents.first?.size == 5)
        #expect(documents.first?.title == "a.txt")
        #expect((documents.first?.modified ?? 0) > 1_600_000_000)
        #expect(index.count == 2)
    }

    @Test("hidden files are skipped unless includeHidden")
    func hiddenFiles() async throws {
        let dir = try TempDirectory()
        dir.makeDirectory(".git")
        dir.write(".git/config", "secretword")
        dir.write(".env", "secretword")
        dir.write("visible.txt", "secretword")
        let index = try FolderIndex(root: dir.path)
        await index.build()
        #expect(index.ids(for: "secretword") == ["visible.txt"])

        let all = try FolderIndex(root: dir.path, options: .init(includeHidden: true))
        await all.build()
        #expect(all.ids(for: "secretword").sorted() == [".env", ".git/config", "visible.txt"])
        #expect((try? all.fetch(id: ".env").text) == "secretword")
    }

    @Test("only the first indexedBytesPerFile bytes are searchable, but fetch returns everything")
    func indexedPrefixCap() async throws {
        let dir = try TempDirectory()
        dir.write("big.txt", String(repeating: "early ", count: 100) + "lateword")
        let index = try FolderIndex(root: dir.path, options: .init(indexedBytesPerFile: 100))
        await index.build()
        #expect(index.ids(for: "early") == ["big.txt"])
        #expect(index.search("lateword").isEmpty)
        #expect(try index.fetch(id: "big.txt").text.hasSuffix("lateword"))
    }
}
