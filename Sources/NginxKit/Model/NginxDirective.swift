/// One statement of an nginx configuration: a simple directive, a block, or a comment.
///
/// The shape is crossplane's (`directive`, `args`, `block`; comments are `#` with the text in
/// `comment`), so a rendered tree, a parsed file and `crossplane parse` output compare field by field.
public struct NginxDirective: Sendable, Equatable {
    /// Directive name, or `#` for a comment.
    public var name: String
    /// Arguments without quotes.
    public var args: [String]
    /// Child statements of a block directive; `nil` for a simple directive.
    public var block: [NginxDirective]?
    /// The text after `#` for a comment.
    public var comment: String?
    /// 1-based line where a parsed directive starts; `nil` for rendered ones.
    public var line: Int?

    public init(_ name: String, _ args: [String] = [], block: [NginxDirective]? = nil, line: Int? = nil) {
        self.name = name
        self.args = args
        self.block = block
        self.comment = nil
        self.line = line
    }

    public init(_ name: String, _ first: String, _ rest: String..., block: [NginxDirective]? = nil) {
        self.init(name, [first] + rest, block: block)
    }

    /// A comment line; `text` is written after `# `.
    public static func comment(_ text: String, line: Int? = nil) -> NginxDirective {
        var directive = NginxDirective("#", [], line: line)
        directive.comment = text
        return directive
    }

    public var isComment: Bool { name == "#" }

    /// The first direct child named `name`.
    public func child(_ name: String) -> NginxDirective? {
        block?.first { $0.name == name }
    }

    /// Every statement in this subtree, depth first, this one included.
    public func flattened() -> [NginxDirective] {
        [self] + (block ?? []).flatMap { $0.flattened() }
    }
}

extension [NginxDirective] {
    /// Every statement in these trees, depth first.
    public func flattened() -> [NginxDirective] { flatMap { $0.flattened() } }
}
