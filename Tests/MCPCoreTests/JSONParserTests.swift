import MCPCore
import Testing

@Suite("JSONParser")
struct JSONParserTests {
    /// Compact documents that must come back byte for byte from `jsonString`.
    static let exactRoundTrips: [String] = [
        "null", "true", "false", "0", "-0", "1.0", "-1.50", "1e400", "-1E-400", "2.5e+10",
        "18446744073709551617", "-18446744073709551617", "123456789012345678901234567890.000",
        #""""#, #""plain""#, #""héllo wörld ✓ 😀""#,
        #""quote \" backslash \\ newline \n return \r tab \t backspace \b formfeed \f""#,
        "[]", "{}", "[[[]]]", "[1,[2,[3]],{\"x\":null}]",
        #"{"b":1,"a":2,"c":{"z":true,"y":false}}"#,
        #"{"id":18446744073709551617,"ratio":1.0,"zero":-0,"huge":1e400}"#,
        #"{"":""}"#,
    ]

    @Test("valid compact documents round-trip byte-exactly", arguments: exactRoundTrips)
    func roundTripsExactly(_ text: String) throws {
        let value = try JSONParser.parse(text)
        #expect(value.jsonString == text)
        #expect(value.jsonBytes == Array(text.utf8))
    }

    /// Documents that parse, and the canonical compact text they are written back as.
    static let normalised: [(input: String, output: String)] = [
        (" { \"a\" : [ 1 , 2 ] }\r\n\t", #"{"a":[1,2]}"#),
        (#""\u0041\u00e9\u20AC""#, #""Aé€""#),
        (#""\ud83d\ude00""#, #""😀""#),
        (#""\uD834\uDD1E clef""#, #""𝄞 clef""#),
        (#""a\/b""#, #""a/b""#),
        (#""\u0000\u0001\u001F\u007f""#, "\"\\u0000\\u0001\\u001f\u{7F}\""),
        (#""\u0008\u000C\u000a\u000D\u0009""#, #""\b\f\n\r\t""#),
        (#""\u0022\u005c""#, #""\"\\""#),
        (#"{"a":1,"b":2,"a":3}"#, #"{"a":3,"b":2}"#),
        ("[ ]", "[]"),
        ("{ }", "{}"),
    ]

    @Test("whitespace is dropped, escapes decoded and control characters re-escaped", arguments: normalised)
    func normalises(_ input: String, _ output: String) throws {
        #expect(try JSONParser.parse(input).jsonString == output)
    }

    @Test("unicode escapes decode to the scalars they name", arguments: [
        (#""\u00e9""#, "é"),
        (#""\ud83d\ude00""#, "😀"),
        (#""x\uDBFF\uDFFFy""#, "x\u{10FFFF}y"),
        (#""\u0000""#, "\u{0}"),
    ])
    func decodesUnicodeEscapes(_ input: String, _ expected: String) throws {
        #expect(try JSONParser.parse(input) == .string(expected))
    }

    @Test("number literals keep their text and their integer-ness", arguments: [
        ("1.0", false), ("-0", true), ("1e400", false), ("18446744073709551617", true), ("7E2", false),
    ])
    func keepsNumberText(_ literal: String, _ isInteger: Bool) throws {
        let number = try #require(try JSONParser.parse(literal).numberValue)
        #expect(number.text == literal)
        #expect(number.isInteger == isInteger)
    }

    @Test("object members keep their arrival order")
    func keepsMemberOrder() throws {
        let object = try #require(try JSONParser.parse(#"{"zeta":1,"alpha":2,"mid":3}"#).objectValue)
        #expect(object.keys == ["zeta", "alpha", "mid"])
    }

    @Test("nesting up to maximumDepth is accepted")
    func acceptsMaximumDepth() throws {
        let depth = JSONParser.maximumDepth
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(try JSONParser.parse(text).jsonString == text)
    }

    /// Invalid documents, the reason fragment the error must carry and the byte offset it must name.
    static let invalid: [(input: String, reason: String, offset: Int)] = [
        ("", "unexpected end of input", 0),
        ("   ", "unexpected end of input", 3),
        ("[1,]", "unexpected character ']'", 3),
        (#"{"a":1,}"#, "expected a member name", 7),
        ("01", "unexpected data after the JSON value", 1),
        ("-01", "unexpected data after the JSON value", 2),
        ("[01]", "expected ',' or ']' in array", 2),
        (#""\uD800""#, "unpaired surrogate", 7),
        (#""\uDC00""#, "unpaired surrogate", 7),
        (#""\uD800x""#, "unpaired surrogate", 7),
        (#""\uD800\u0041""#, "invalid low surrogate", 13),
        (#""abc"#, "unterminated string", 4),
        (#""ab\n"#, "unterminated string", 5),
        ("\"a\u{01}b\"", "control character in string", 2),
        ("\"a\nb\"", "control character in string", 2),
        ("\"\\n\u{1F}\"", "control character in string", 3),
        ("{} x", "unexpected data after the JSON value", 3),
        ("truex", "unexpected data after the JSON value", 4),
        ("[1] [2]", "unexpected data after the JSON value", 4),
        ("tru", "unexpected end of input", 0),
        ("nulx", "invalid literal", 0),
        ("-", "incomplete number", 1),
        ("-a", "invalid number", 1),
        ("+1", "unexpected character '+'", 0),
        ("1.", "expected digits after '.'", 2),
        (".5", "unexpected character '.'", 0),
        ("1e", "expected digits in exponent", 2),
        ("1e+", "expected digits in exponent", 3),
        (#""\x""#, "invalid escape sequence", 3),
        (#""\u12G4""#, "invalid hex digit", 5),
        (#""\u12""#, "incomplete \\u escape", 3),
        (#"{"a" 1}"#, "expected ':' after member name", 5),
        (#"{"a":1"#, "unterminated object", 6),
        (#"{"a":1 "b":2}"#, "expected ',' or '}' in object", 7),
        ("{1:2}", "expected a member name", 1),
        ("[1", "unterminated array", 2),
        ("[1 2]", "expected ',' or ']' in array", 3),
        ("'a'", "unexpected character '''", 0),
        ("NaN", "unexpected character 'N'", 0),
    ]

    @Test("invalid documents are refused with the reason and the byte offset", arguments: invalid)
    func refusesInvalid(_ input: String, _ reason: String, _ offset: Int) {
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(input) }
        #expect(error?.reason.contains(reason) == true, "reason was \(error?.reason ?? "none")")
        #expect(error?.offset == offset)
    }

    /// Byte sequences that are not UTF-8, and where the refused string starts.
    static let invalidUTF8: [(bytes: [UInt8], offset: Int)] = [
        ([0x22, 0xC3, 0x28, 0x22], 1),  // truncated two-byte sequence
        ([0x22, 0xFF, 0x22], 1),  // byte never used in UTF-8
        ([0x22, 0x80, 0x22], 1),  // lone continuation byte
        ([0x22, 0xC0, 0xAF, 0x22], 1),  // overlong '/'
        ([0x22, 0xED, 0xA0, 0x80, 0x22], 1),  // surrogate encoded as UTF-8
        ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1),  // beyond U+10FFFF
        ([0x5B, 0x22, 0xFF, 0x22, 0x5D], 2),  // inside an array
        ([0x22, 0x5C, 0x6E, 0xFF, 0x22], 1),  // after an escape (slow path)
        ([0x7B, 0x22, 0xFE, 0x22, 0x3A, 0x31, 0x7D], 2),  // as a member name
    ]

    @Test("strings that are not UTF-8 are refused", arguments: invalidUTF8)
    func refusesInvalidUTF8(_ bytes: [UInt8], _ offset: Int) {
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
        #expect(error?.reason.contains("not valid UTF-8") == true, "reason was \(error?.reason ?? "none")")
        #expect(error?.offset == offset)
    }

    @Test("nesting deeper than maximumDepth is refused", arguments: ["[", "{\"k\":"])
    func refusesDeepNesting(_ opener: String) {
        let depth = JSONParser.maximumDepth + 1
        let closer = opener == "[" ? "]" : "}"
        let text = String(repeating: opener, count: depth) + "0" + String(repeating: closer, count: depth)
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
        #expect(error?.reason.contains("nesting deeper than \(JSONParser.maximumDepth)") == true)
    }

    @Test("the error description names the reason and the offset")
    func describesError() {
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse("[1,]") }
        #expect(error?.description == "unexpected character ']' at byte 3")
    }
}
