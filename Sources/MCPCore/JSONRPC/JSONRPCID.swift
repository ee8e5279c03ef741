/// A JSON-RPC request id: a string or a number, echoed exactly as received.
///
/// Numbers keep their literal text, so `18446744073709551617` comes back unchanged even
/// though no Swift integer holds it (JSON-RPC 2.0 §4; MCP `RequestId`).
public enum JSONRPCID: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case number(JSONNumber)

    public init(_ value: Int) { self = .number(JSONNumber(value)) }

    public var json: JSONValue {
        switch self {
        case .string(let text): .string(text)
        case .number(let number): .number(number)
        }
    }

    public init?(json: JSONValue) {
        switch json {
        case .string(let text): self = .string(text)
        case .number(let number): self = .number(number)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .string(let text): "\"\(text)\""
        case .number(let number): number.text
        }
    }

    func write(to writer: inout JSONWriter) {
        switch self {
        case .string(let text): writer.string(text)
        case .number(let number): writer.raw(number.text.utf8)
        }
    }
}
