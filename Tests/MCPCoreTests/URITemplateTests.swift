import MCPCore
import Testing

@Suite("URITemplate")
struct URITemplateTests {
    /// Template, URI, and the variables the match must yield (`nil`: no match).
    static let matches: [(template: String, uri: String, variables: [String: String]?)] = [
        // simple {var}: one segment, never across '/'
        ("file:///{name}", "file:///a.txt", ["name": "a.txt"]),
        ("file:///{name}", "file:///dir/a.txt", nil),
        ("file:///{name}", "file:///", nil),
        ("file:///{name}", "file:///a/", nil),
        ("repo://{owner}/{repo}/issues/{id}", "repo://apple/swift/issues/42", ["owner": "apple", "repo": "swift", "id": "42"]),
        ("repo://{owner}/{repo}/issues/{id}", "repo://apple/swift/pulls/42", nil),
        ("docs://{name}.md", "docs://read.me.md", ["name": "read.me"]),
        ("docs://{name}.md", "docs://readme.txt", nil),
        // reserved {+var}: may span '/'
        ("file:///{+path}", "file:///dir/sub/a.txt", ["path": "dir/sub/a.txt"]),
        ("file:///{+path}", "file:///", nil),
        ("{+base}/v{version}", "http://h/api/v2", ["base": "http://h/api", "version": "2"]),
        ("file:///{+path}/meta", "file:///a/b/meta", ["path": "a/b"]),
        // path segment {/var}
        ("files{/seg}", "files/abc", ["seg": "abc"]),
        ("files{/seg}", "files/a/b", nil),
        ("files{/seg}", "files/", nil),
        ("files{/seg}", "filesabc", nil),
        ("files{/a}{/b}", "files/x/y", ["a": "x", "b": "y"]),
        // fragment {#var}
        ("page{#frag}", "page#a/b", ["frag": "a/b"]),
        ("page{#frag}", "page", nil),
        // literal mismatch and literal-only templates
        ("docs://{name}", "other://x", nil),
        ("docs://{name}", "docs:/x", nil),
        ("static://x", "static://x", [:]),
        ("static://x", "static://xy", nil),
        ("static://x", "static://", nil),
        // percent-decoding of extracted values
        ("docs://{name}", "docs://hello%20world", ["name": "hello world"]),
        ("docs://{name}", "docs://caf%C3%A9", ["name": "café"]),
        ("docs://{name}", "docs://a%2Fb", ["name": "a/b"]),
        ("docs://{name}", "docs://%7e%7E", ["name": "~~"]),
        ("docs://{name}", "docs://100%", ["name": "100%"]),
        ("docs://{name}", "docs://%zz", ["name": "%zz"]),
        ("docs://{name}", "docs://%4", ["name": "%4"]),
        ("file:///{+path}", "file:///my%20dir/a%2Bb", ["path": "my dir/a+b"]),
    ]

    @Test("match extracts the variables or returns nil", arguments: matches)
    func matchesURI(_ template: String, _ uri: String, _ variables: [String: String]?) {
        #expect(URITemplate(template).match(uri) == variables)
    }

    @Test("variable names are listed in template order", arguments: [
        ("repo://{owner}/{+path}{#frag}", ["owner", "path", "frag"]),
        ("files{/a}{/b}", ["a", "b"]),
        ("static://x", []),
    ])
    func listsVariables(_ template: String, _ names: [String]) {
        let parsed = URITemplate(template)
        #expect(parsed.variableNames == names)
        #expect(parsed.text == template)
    }
}
