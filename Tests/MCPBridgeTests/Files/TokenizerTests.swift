import MCPBridge
import Testing

@Suite("Tokenizer")
struct TokenizerTests {
    @Test(
        "splits text into lowercase letter/digit runs",
        arguments: [
            ("Hello, World!", ["hello", "world"]),
            ("Größe", ["größe"]),
            ("naïve café", ["naïve", "café"]),
            ("ÉCOLE Straße", ["école", "straße"]),
            ("cafe\u{301} au lait", ["cafe\u{301}", "au", "lait"]),
            ("snake_case_name", ["snake", "case", "name"]),
            ("camelCaseName", ["camelcasename"]),
            ("日本語 テキスト", ["日本語", "テキスト"]),
            ("v2 3.14 x", ["v2", "14"]),
            ("über—straße…ende", ["über", "straße", "ende"]),
            ("", []),
        ])
    func tokens(text: String, expected: [String]) {
        #expect(Tokenizer.tokens(of: text) == expected)
    }

    @Test("drops one-character tokens and tokens over 64 bytes")
    func lengthLimits() {
        let long = String(repeating: "a", count: 65)
        let limit = String(repeating: "b", count: 64)
        #expect(Tokenizer.tokens(of: "a é \(long) \(limit) ok") == [limit, "ok"])
        // 33 two-byte letters = 66 bytes: over the byte limit although only 33 characters.
        #expect(Tokenizer.tokens(of: String(repeating: "é", count: 33)) == [])
    }

    @Test("invalid UTF-8 bytes separate tokens instead of crashing")
    func invalidBytes() {
        let text = String(decoding: [0x61, 0x62, 0xFF, 0x63, 0x64, 0xC3], as: UTF8.self)
        #expect(Tokenizer.tokens(of: text) == ["ab", "cd"])
    }
}
