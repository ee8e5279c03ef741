/// Reads nginx configuration text into ``NginxDirective`` trees with line numbers and comments,
/// the way nginx tokenises it (quotes, `\` escapes, `${var}`, `#` comments); `include` is not
/// followed. Compatible with `crossplane parse --single-file --include-comments`.
public struct NginxConfigParser {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var line: Int
        public var description: String { "\(message) at line \(line)" }
    }

    enum Token: Equatable {
        case word(String, line: Int, quoted: Bool)
        case comment(String, line: Int)
        case open(line: Int), close(line: Int), semicolon(line: Int)
    }

    public init() {}

    public func parse(_ text: String) throws(Failure) -> [NginxDirective] {
        let tokens = try Self.tokenize(text)
        var index = 0
        let statements = try parseBlock(tokens, &index, depth: 0)
        return statements
    }

    private func parseBlock(_ tokens: [Token], _ index: inout Int, depth: Int) throws(Failure) -> [NginxDirective] {
        var statements: [NginxDirective] = []
        while index < tokens.count {
            switch tokens[index] {
            case .comment(let text, let line):
                statements.append(.comment(text, line: line))
                index += 1
            case .close(let line):
                guard depth > 0 else { throw Failure(message: "unexpected \"}\"", line: line) }
                index += 1
                return statements
            case .open(let line), .semicolon(let line):
                throw Failure(message: "unexpected \"\(tokens[index] == .open(line: line) ? "{" : ";")\"", line: line)
            case .word(let name, let line, _):
                index += 1
                var args: [String] = []
                var comments: [NginxDirective] = []
                statement: while true {
                    guard index < tokens.count else { throw Failure(message: "unexpected end of file, expecting \";\" or \"}\"", line: line) }
                    switch tokens[index] {
                    case .word(let word, _, _):
                        args.append(word)
                        index += 1
                    case .comment(let text, let commentLine):
                        // crossplane keeps comments inside a statement after the statement.
                        comments.append(.comment(text, line: commentLine))
                        index += 1
                    case .semicolon:
                        index += 1
                        statements.append(NginxDirective(name, Self.unwrapIf(name, args), line: line))
                        break statement
                    case .open:
                        index += 1
                        let block = try parseBlock(tokens, &index, depth: depth + 1)
                        statements.append(NginxDirective(name, Self.unwrapIf(name, args), block: block, line: line))
                        break statement
                    case .close(let closeLine):
                        throw Failure(message: "unexpected \"}\"", line: closeLine)
                    }
                }
                statements += comments
            }
        }
        if depth > 0 { throw Failure(message: "unexpected end of file, expecting \"}\"", line: (tokens.last.map(Self.line) ?? 1)) }
        return statements
    }

    /// crossplane strips the parentheses around an `if` condition.
    static func unwrapIf(_ name: String, _ args: [String]) -> [String] {
        guard name == "if", var args = args.nonEmpty else { return args }
        if args[0] == "(" { args.removeFirst() } else if args[0].hasPrefix("(") { args[0].removeFirst() }
        if let last = args.indices.last {
            if args[last] == ")" { args.removeLast() } else if args[last].hasSuffix(")") { args[last].removeLast() }
        }
        return args
    }

    static func line(_ token: Token) -> Int {
        switch token {
        case .word(_, let line, _), .comment(_, let line), .open(let line), .close(let line), .semicolon(let line): line
        }
    }

    static func tokenize(_ text: String) throws(Failure) -> [Token] {
        var tokens: [Token] = []
        let characters = Array(text.unicodeScalars)
        var index = 0
        var line = 1
        var word = String.UnicodeScalarView()
        var wordLine = 1
        func flush() {
            if !word.isEmpty { tokens.append(.word(String(word), line: wordLine, quoted: false)) }
            word = String.UnicodeScalarView()
        }
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "\n":
                flush()
                line += 1
                index += 1
            case " ", "\t", "\r":
                flush()
                index += 1
            case "#" where word.isEmpty:
                var comment = String.UnicodeScalarView()
                index += 1
                while index < characters.count, characters[index] != "\n" {
                    comment.append(characters[index])
                    index += 1
                }
                tokens.append(.comment(String(comment), line: line))
            case "{", "}", ";":
                flush()
                tokens.append(character == "{" ? .open(line: line) : character == "}" ? .close(line: line) : .semicolon(line: line))
                index += 1
            case "\"" where word.isEmpty, "'" where word.isEmpty:
                let quote = character
                let start = line
                var value = String.UnicodeScalarView()
                index += 1
                while true {
                    guard index < characters.count else { throw Failure(message: "unexpected end of file in a quoted string", line: start) }
                    let next = characters[index]
                    if next == "\\", index + 1 < characters.count, characters[index + 1] == quote || characters[index + 1] == "\\" {
                        value.append(characters[index + 1])
                        index += 2
                        continue
                    }
                    if next == quote { index += 1; break }
                    if next == "\n" { line += 1 }
                    value.append(next)
                    index += 1
                }
                tokens.append(.word(String(value), line: start, quoted: true))
            case "\\":
                if word.isEmpty { wordLine = line }
                word.append(character)
                if index + 1 < characters.count {
                    word.append(characters[index + 1])
                    if characters[index + 1] == "\n" { line += 1 }
                }
                index += 2
            case "$" where index + 1 < characters.count && characters[index + 1] == "{":
                if word.isEmpty { wordLine = line }
                while index < characters.count {
                    word.append(characters[index])
                    index += 1
                    if characters[index - 1] == "}" { break }
                }
            default:
                if word.isEmpty { wordLine = line }
                word.append(character)
                index += 1
            }
        }
        flush()
        return tokens
    }
}

extension Array {
    fileprivate var nonEmpty: Self? { isEmpty ? nil : self }
}
