extension NginxDirective {
    /// The `parsed` list of one file as `crossplane parse --include-comments` prints it.
    public static func crossplaneJSON(_ statements: [NginxDirective]) -> String {
        var output = "["
        for (index, statement) in statements.enumerated() {
            if index > 0 { output += "," }
            output += "{\"directive\":" + jsonString(statement.name)
            output += ",\"line\":\(statement.line ?? 0)"
            output += ",\"args\":[" + statement.args.map(jsonString).joined(separator: ",") + "]"
            if let comment = statement.comment { output += ",\"comment\":" + jsonString(comment) }
            if let block = statement.block { output += ",\"block\":" + crossplaneJSON(block) }
            output += "}"
        }
        return output + "]"
    }

    static func jsonString(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }
}
