extension NginxDirective {
    /// Writes statements as nginx configuration text, four spaces per level, with a blank line
    /// before every block below the top so long files stay readable.
    public static func render(_ statements: [NginxDirective]) -> String {
        var output = ""
        write(statements, depth: 0, into: &output)
        return output
    }

    private static func write(_ statements: [NginxDirective], depth: Int, into output: inout String) {
        let indent = String(repeating: "    ", count: depth)
        for (index, statement) in statements.enumerated() {
            if statement.block != nil, index > 0, !statements[index - 1].isComment {
                output += "\n"
            }
            output += indent
            if statement.isComment {
                output += "#" + (statement.comment ?? "") + "\n"
                continue
            }
            output += quoted(statement.name)
            if statement.name == "if" {
                // nginx needs the condition in parentheses; crossplane (and our parser) strip them.
                output += " (" + statement.args.map(quoted).joined(separator: " ") + ")"
            } else {
                for argument in statement.args { output += " " + quoted(argument) }
            }
            guard let block = statement.block else {
                output += ";\n"
                continue
            }
            output += " {\n"
            write(block, depth: depth + 1, into: &output)
            output += indent + "}\n"
        }
    }

    /// The argument as nginx reads it back: bare when it is one plain word, else quoted.
    public static func quoted(_ argument: String) -> String {
        let needsQuotes = argument.isEmpty || argument.contains { $0.isWhitespace || "\"'{};#\\".contains($0) }
        guard needsQuotes else { return argument }
        if argument.contains("\"") && !argument.contains("'") && !argument.contains("\\") {
            return "'" + argument + "'"
        }
        var escaped = "\""
        for character in argument {
            if character == "\"" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped + "\""
    }
}
