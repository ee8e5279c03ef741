/// A tool parameter annotated with `x-mcp-header`, which 2026-07-28 clients mirror into an
/// `Mcp-Param-{Name}` request header (spec 2026-07-28 server/tools §x-mcp-header).
public struct HeaderParameter: Sendable, Hashable {
    /// The `{Name}` part of the header.
    public var name: String
    /// The chain of `properties` keys from the schema root to the parameter.
    public var path: [String]

    /// Annotations statically reachable through `properties` keys only, as the spec requires.
    static func find(in schema: JSONValue) -> [HeaderParameter] {
        var found: [HeaderParameter] = []
        func walk(_ schema: JSONValue, path: [String]) {
            guard case .object(let properties)? = schema["properties"] else { return }
            for (name, property) in properties {
                if case .string(let header)? = property["x-mcp-header"] {
                    found.append(HeaderParameter(name: header, path: path + [name]))
                }
                walk(property, path: path + [name])
            }
        }
        walk(schema, path: [])
        return found
    }
}
