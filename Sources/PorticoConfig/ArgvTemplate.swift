/// The argv of a command tool as written in YAML, with `{{name}}` placeholders for tool arguments.
///
/// Why a template and not a command line: the program is started with `posix_spawn` and never a
/// shell, so each element stays exactly one argv element after expansion. An argument such as
/// `; rm -rf /` or `$(id)` can never become a second word, a redirect or a substitution.
///
/// Syntax, per element:
/// - `{{name}}` is replaced by the value of argument `name`. Spaces just inside the braces are
///   allowed (`{{ name }}`). A name starts with a letter or `_` and continues with letters,
///   digits, `_`, `-` or `.`.
/// - An element may mix text and placeholders: `--out={{path}}` expands to one element.
/// - `{{{{` is a literal `{{`. A lone `}}` outside a placeholder is literal text, so no other
///   escape is needed.
/// - `{{` without a closing `}}`, an empty name or an invalid name is a ``ParseError`` that
///   names the element, so a broken YAML file fails at load time, not at call time.
public struct ArgvTemplate: Sendable, Equatable {
    /// The parsed elements, kept so expansion never re-scans text (a value that itself contains
    /// `{{x}}` is therefore inserted literally, never expanded again).
    let elements: [Element]

    /// Distinct placeholder names in order of first appearance, for checking them against the
    /// tool's input schema when the configuration is loaded.
    public let placeholders: [String]

    public init(_ elements: [String]) throws(ArgvTemplate.ParseError) {
        var parsed: [Element] = []
        parsed.reserveCapacity(elements.count)
        for (index, text) in elements.enumerated() {
            parsed.append(try Element.parse(text, index: index))
        }
        var seen: Set<String> = []
        var names: [String] = []
        for element in parsed {
            for case .placeholder(let name) in element.segments where seen.insert(name).inserted {
                names.append(name)
            }
        }
        self.elements = parsed
        self.placeholders = names
    }

    /// Expands the template into argv.
    ///
    /// `value` returns the text of an argument, or `nil` when the argument was not given.
    /// The caller renders it: a JSON string is used as is (no quotes), numbers and booleans as
    /// their JSON text, objects and arrays as compact JSON. The template cannot do that itself
    /// because it does not depend on a JSON type.
    ///
    /// A missing argument drops its element when the element is exactly one placeholder
    /// (`{{flag}}`), which is how optional arguments disappear. A missing argument inside a mixed
    /// element (`--out={{path}}`) is an error, because dropping half an element would change its
    /// meaning; write such options as two elements or make the argument required.
    public func expand(_ value: (String) -> String?) throws(ArgvTemplate.ExpansionError) -> [String] {
        var argv: [String] = []
        argv.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            if case .placeholder(let name)? = element.segments.first, element.segments.count == 1 {
                if let text = value(name) { argv.append(text) }
                continue
            }
            var text = ""
            for segment in element.segments {
                switch segment {
                case .literal(let literal):
                    text += literal
                case .placeholder(let name):
                    guard let inserted = value(name) else {
                        throw ExpansionError(name: name, elementIndex: index, element: element.source)
                    }
                    text += inserted
                }
            }
            argv.append(text)
        }
        return argv
    }
}
