/// Matches URIs against an RFC 6570 template and extracts the variables.
///
/// Supports the expressions MCP servers use in practice: simple `{var}` (one path
/// segment, no `/`), reserved `{+var}` and fragment `{#var}` (may span `/`), and
/// path-segment `{/var}`. Matching is anchored and never uses regular expressions.
public struct URITemplate: Sendable, Hashable {
    enum Part: Sendable, Hashable {
        case literal(String)
        case variable(name: String, allowsSlash: Bool, prefix: String)
    }

    public let text: String
    let parts: [Part]

    public init(_ text: String) {
        self.text = text
        var parts: [Part] = []
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "{", let close = text[index...].firstIndex(of: "}") {
                if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
                var expression = text[text.index(after: index)..<close]
                var allowsSlash = false
                var prefix = ""
                if let first = expression.first, "+#/".contains(first) {
                    allowsSlash = first != "/"
                    prefix = first == "#" ? "#" : first == "/" ? "/" : ""
                    expression = expression.dropFirst()
                }
                parts.append(.variable(name: String(expression), allowsSlash: allowsSlash, prefix: prefix))
                index = text.index(after: close)
            } else {
                literal.append(character)
                index = text.index(after: index)
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.parts = parts
    }

    /// The variable names in template order.
    public var variableNames: [String] {
        parts.compactMap { if case .variable(let name, _, _) = $0 { name } else { nil } }
    }

    /// The variables of `uri`, or `nil` when it does not match this template.
    public func match(_ uri: String) -> [String: String]? {
        var variables: [String: String] = [:]
        return match(parts[...], Substring(uri), &variables) ? variables : nil
    }

    private func match(_ parts: ArraySlice<Part>, _ rest: Substring, _ variables: inout [String: String]) -> Bool {
        guard let part = parts.first else { return rest.isEmpty }
        switch part {
        case .literal(let literal):
            guard rest.hasPrefix(literal) else { return false }
            return match(parts.dropFirst(), rest.dropFirst(literal.count), &variables)
        case .variable(let name, let allowsSlash, let prefix):
            guard rest.hasPrefix(prefix) else { return false }
            let body = rest.dropFirst(prefix.count)
            // Try the longest value first, backtracking until the remaining parts match.
            var end = body.endIndex
            if !allowsSlash, let slash = body.firstIndex(of: "/") { end = slash }
            while true {
                let value = body[body.startIndex..<end]
                if !value.isEmpty {
                    var attempt = variables
                    attempt[name] = String(value).removingPercentEncodingLeniently
                    if match(parts.dropFirst(), body[end...], &attempt) {
                        variables = attempt
                        return true
                    }
                }
                guard end > body.startIndex else { return false }
                end = body.index(before: end)
            }
        }
    }
}

extension String {
    /// Decodes `%XX` escapes; malformed escapes are kept as written.
    var removingPercentEncodingLeniently: String { PercentDecoding.decode(self) }
}
