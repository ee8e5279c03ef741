import Logging
import HTTPTypes
import MCPCore

/// Validation of `Mcp-Param-{Name}` headers for tool parameters annotated with `x-mcp-header`
/// (2026-07-28 transports §Custom Headers from Tool Parameters).
enum ParameterHeaders {
    static func validate(tool: Tool, arguments: JSONObject, headers: HTTPFields, id: JSONRPCID) throws(MCPError) {
        for annotation in tool.headerParameters {
            var value: JSONValue? = .object(arguments)
            for key in annotation.path { value = value?[key] }
            guard let value, !value.isNull else { continue }
            let headerName = "Mcp-Param-\(annotation.name)"
            guard let fieldName = HTTPField.Name(headerName), let raw = headers[fieldName] else {
                throw mismatch("missing \(headerName) header for parameter '\(annotation.path.joined(separator: "."))'", id: id)
            }
            let decoded: String
            do {
                decoded = try HeaderValueCoding.decode(raw)
            } catch {
                throw mismatch("\(headerName) header value is malformed", id: id)
            }
            guard matches(decoded, value) else {
                throw mismatch("\(headerName) header value '\(decoded)' does not match body value \(value.jsonString)", id: id)
            }
        }
    }

    static func matches(_ header: String, _ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): return header == text
        case .bool(let flag): return header == (flag ? "true" : "false")
        case .number(let number):
            if header == number.text { return true }
            guard let lhs = Double(header), let rhs = number.doubleValue else { return false }
            return lhs == rhs
        default: return false
        }
    }

    static func mismatch(_ detail: String, id: JSONRPCID) -> MCPError {
        MCPError(code: .headerMismatch, message: "Header mismatch: \(detail)", id: id, httpStatus: 400)
    }
}
