import MCPBridge
import PorticoConfig
import Testing

@Suite("ArgvTemplate")
struct ArgvTemplateTests {
    struct ParseCase: Sendable, CustomTestStringConvertible {
        var argv: [String]
        var reason: ArgvTemplate.ParseError.Reason
        var index: Int
        var testDescription: String { "\(argv)" }
    }

    @Test("malformed elements are parse errors naming the element", arguments: [
        ParseCase(argv: ["{{"], reason: .unclosedPlaceholder, index: 0),
        ParseCase(argv: ["ok", "--out={{path"], reason: .unclosedPlaceholder, index: 1),
        ParseCase(argv: ["{{name}"], reason: .unclosedPlaceholder, index: 0),
        ParseCase(argv: ["{{}}"], reason: .emptyName, index: 0),
        ParseCase(argv: ["a", "b", "{{   }}"], reason: .emptyName, index: 2),
        ParseCase(argv: ["{{1st}}"], reason: .invalidName("1st"), index: 0),
        ParseCase(argv: ["{{a b}}"], reason: .invalidName("a b"), index: 0),
        ParseCase(argv: ["{{$(id)}}"], reason: .invalidName("$(id)"), index: 0),
        ParseCase(argv: ["{{{x}}"], reason: .invalidName("{x"), index: 0),
    ])
    func parseErrors(_ c: ParseCase) {
        #expect(throws: ArgvTemplate.ParseError(reason: c.reason, elementIndex: c.index, element: c.argv[c.index])) {
            try ArgvTemplate(c.argv)
        }
    }

    @Test func parseErrorDescriptionNamesTheElement() {
        let error = #expect(throws: ArgvTemplate.ParseError.self) { try ArgvTemplate(["x", "--out={{path"]) }
        #expect(error?.description.contains("argv[1] \"--out={{path\"") == true)
    }

    struct ExpandCase: Sendable, CustomTestStringConvertible {
        var template: [String]
        /// Argument texts as the tool layer renders them: strings as is, other JSON compact.
        var values: [String: String]
        var expected: [String]
        var testDescription: String { "\(template) → \(expected)" }
    }

    @Test("expansion", arguments: [
        ExpandCase(template: ["grep", "-n", "{{pattern}}", "{{file}}"],
                   values: ["pattern": "a b", "file": "x.txt"], expected: ["grep", "-n", "a b", "x.txt"]),
        // mixed text and placeholders stay one element
        ExpandCase(template: ["--out={{path}}", "{{a}}-{{b}}"],
                   values: ["path": "/tmp/o ut", "a": "1", "b": "2"], expected: ["--out=/tmp/o ut", "1-2"]),
        ExpandCase(template: ["{{ spaced }}"], values: ["spaced": "v"], expected: ["v"]),
        // numbers, booleans, objects and arrays arrive as their JSON text: still one element
        ExpandCase(template: ["-n", "{{count}}", "{{flag}}", "{{obj}}", "{{list}}"],
                   values: ["count": "42", "flag": "true", "obj": #"{"a":1,"b":"x y"}"#, "list": "[1,2]"],
                   expected: ["-n", "42", "true", #"{"a":1,"b":"x y"}"#, "[1,2]"]),
        // a missing optional placeholder drops its whole element
        ExpandCase(template: ["ls", "{{flags}}", "{{dir}}"], values: ["dir": "/"], expected: ["ls", "/"]),
        ExpandCase(template: ["{{a}}", "{{b}}"], values: [:], expected: []),
        // an empty string is a value, not a missing argument
        ExpandCase(template: ["x", "{{e}}"], values: ["e": ""], expected: ["x", ""]),
        // values are inserted once, never re-expanded or split
        ExpandCase(template: ["{{v}}"], values: ["v": "{{other}} ; rm -rf / $(id)"], expected: ["{{other}} ; rm -rf / $(id)"]),
        // escapes and lone braces
        ExpandCase(template: ["{{{{literal}}", "a}}b", "{x}", "{{{{{{n}}"], values: ["n": "N"],
                   expected: ["{{literal}}", "a}}b", "{x}", "{{N"]),
        ExpandCase(template: ["é{{n}}ü", "{{n}}"], values: ["n": "ß"], expected: ["éßü", "ß"]),
        ExpandCase(template: ["--x={{n}}", "{{n}}"], values: ["n": "1"], expected: ["--x=1", "1"]),
    ])
    func expansion(_ c: ExpandCase) throws {
        let template = try ArgvTemplate(c.template)
        #expect(try template.expand { c.values[$0] } == c.expected)
    }

    @Test func missingArgumentInMixedElementIsAnError() throws {
        let template = try ArgvTemplate(["cmd", "--out={{path}}"])
        #expect(throws: ArgvTemplate.ExpansionError(name: "path", elementIndex: 1, element: "--out={{path}}")) {
            try template.expand { _ in nil }
        }
    }

    @Test func placeholdersAreDistinctInOrderOfAppearance() throws {
        let template = try ArgvTemplate(["{{b}}", "--a={{a}}:{{b}}", "{{c}}", "{{{{x}}", "{{ a }}"])
        #expect(template.placeholders == ["b", "a", "c"])
    }

    @Test func templatesCompareByContent() throws {
        #expect(try ArgvTemplate(["a", "{{b}}"]) == ArgvTemplate(["a", "{{ b }}"]))
        #expect(try ArgvTemplate(["a", "{{b}}"]) != ArgvTemplate(["a", "{{c}}"]))
    }
}
