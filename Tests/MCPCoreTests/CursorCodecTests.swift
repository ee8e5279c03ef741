import MCPCore
import Testing

@Suite("CursorCodec")
struct CursorCodecTests {
    let codec = CursorCodec()

    @Test("a cursor decodes to the offset it was issued for", arguments: [
        ("tools", 0), ("tools", 1), ("prompts", 99), ("resources", 123_456), ("templates", Int.max),
    ])
    func roundTrips(_ list: String, _ offset: Int) {
        let cursor = codec.encode(list: list, offset: offset)
        #expect(codec.decode(cursor, list: list) == offset)
    }

    @Test("a cursor is opaque: URL-safe text of two parts")
    func isOpaque() {
        let cursor = codec.encode(list: "tools", offset: 5)
        #expect(!cursor.contains("tools"))
        #expect(cursor.split(separator: ".", omittingEmptySubsequences: false).count == 2)
        #expect(cursor.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
    }

    @Test("a cursor for one list is refused for another", arguments: [("tools", "prompts"), ("prompts", "tools"), ("tools", "tool"), ("tools", "")])
    func refusesOtherList(_ issued: String, _ asked: String) {
        #expect(codec.decode(codec.encode(list: issued, offset: 3), list: asked) == nil)
    }

    @Test("a cursor whose payload was replaced is refused", arguments: ["tools:4", "tools:0", "prompts:3", "tools:-1", ""])
    func refusesTamperedPayload(_ forged: String) throws {
        let cursor = codec.encode(list: "tools", offset: 3)
        let tag = try #require(cursor.split(separator: ".").last)
        #expect(codec.decode(Base64URL.encode(Array(forged.utf8)) + "." + tag, list: "tools") == nil)
    }

    @Test("a tag with any byte changed is refused", arguments: 0..<16)
    func refusesTamperedTag(_ position: Int) throws {
        let cursor = codec.encode(list: "tools", offset: 3)
        let parts = cursor.split(separator: ".").map(String.init)
        var tag = try #require(Base64URL.decode(parts[1]))
        #expect(tag.count == 16)
        tag[position] ^= 0x01
        #expect(codec.decode(parts[0] + "." + Base64URL.encode(tag), list: "tools") == nil)
    }

    @Test("a shortened or lengthened tag is refused", arguments: [-1, 1])
    func refusesTagOfWrongLength(_ delta: Int) throws {
        let parts = codec.encode(list: "tools", offset: 3).split(separator: ".").map(String.init)
        var tag = try #require(Base64URL.decode(parts[1]))
        if delta < 0 { tag.removeLast() } else { tag.append(0) }
        #expect(codec.decode(parts[0] + "." + Base64URL.encode(tag), list: "tools") == nil)
    }

    @Test("a cursor from another key is refused")
    func refusesOtherKey() {
        let other = CursorCodec()
        #expect(codec.decode(other.encode(list: "tools", offset: 1), list: "tools") == nil)
    }

    @Test("garbage is refused", arguments: ["", ".", "..", "abc", "a.b", "a.b.c", "!!!.###", "dG9vbHM6MQ", "dG9vbHM6MQ.", ".AAAAAAAAAAAAAAAAAAAAAA"])
    func refusesGarbage(_ cursor: String) {
        #expect(codec.decode(cursor, list: "tools") == nil)
    }

    @Test("a valid cursor with an extra part is refused")
    func refusesExtraPart() {
        let cursor = codec.encode(list: "tools", offset: 2)
        #expect(codec.decode(cursor + ".x", list: "tools") == nil)
        #expect(codec.decode("x." + cursor, list: "tools") == nil)
    }
}
