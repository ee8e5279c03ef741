/// One decoded JSON-RPC 2.0 message (request, notification or response).
///
/// Built once from the parsed body; `params` stays a ``JSONObject`` that the method
/// handlers read directly, so nothing is parsed twice.
public enum JSONRPCMessage: Sendable {
    case request(JSONRPCRequest)
    case notification(JSONRPCNotification)
    case response(JSONRPCResponse)

    /// Classifies a parsed value, rejecting anything that is not a JSON-RPC 2.0 message
    /// with an `invalidRequest` error that names the offending member.
    public init(json: JSONValue) throws(MCPError) {
        guard case .object(let object) = json else {
            throw MCPError(code: .invalidRequest, message: "A JSON-RPC message must be an object, got \(json.typeName)")
        }
        let id = object["id"].flatMap(JSONRPCID.init(json:))
        guard object["jsonrpc"] == .string("2.0") else {
            throw MCPError(code: .invalidRequest, message: "Member 'jsonrpc' must be \"2.0\"", id: id)
        }
        // MCP narrows JSON-RPC: an id is a string or an integer, never null (basic §Requests).
        if let idValue = object["id"] {
            switch idValue {
            case .string: break
            case .number(let number) where number.isIntegral: break
            case .null where object["method"] == nil: break  // an error reply to an unreadable request
            default:
                let found = idValue.numberValue.map { "the number \($0.text)" } ?? idValue.typeName
                throw MCPError(code: .invalidRequest, message: "Member 'id' must be a string or an integer, got \(found)")
            }
        }
        if let methodValue = object["method"] {
            guard case .string(let method) = methodValue else {
                throw MCPError(code: .invalidRequest, message: "Member 'method' must be a string", id: id)
            }
            var params = JSONObject()
            switch object["params"] {
            case .none, .some(.null): break
            case .some(.object(let value)): params = value
            case .some(let other):
                throw MCPError(code: .invalidRequest, message: "Member 'params' must be an object, got \(other.typeName)", id: id)
            }
            if let id {
                self = .request(JSONRPCRequest(id: id, method: method, params: params))
            } else {
                self = .notification(JSONRPCNotification(method: method, params: params))
            }
            return
        }
        guard let id else {
            throw MCPError(code: .invalidRequest, message: "Message has neither 'method' nor 'id'")
        }
        if let result = object["result"] {
            self = .response(JSONRPCResponse(id: id, outcome: .success(result)))
        } else if case .object(let error)? = object["error"] {
            let code = error["code"]?.numberValue?.int64Value.map(Int.init) ?? ErrorCode.internalError.rawValue
            let message = error["message"]?.stringValue ?? ""
            self = .response(JSONRPCResponse(id: id, outcome: .failure(MCPError(code: ErrorCode(rawValue: code), message: message, data: error["data"]))))
        } else {
            throw MCPError(code: .invalidRequest, message: "Response must carry 'result' or 'error'", id: id)
        }
    }
}

public struct JSONRPCRequest: Sendable {
    public var id: JSONRPCID
    public var method: String
    public var params: JSONObject

    public init(id: JSONRPCID, method: String, params: JSONObject = JSONObject()) {
        self.id = id
        self.method = method
        self.params = params
    }

    /// `params._meta`, when it is an object.
    public var meta: JSONObject? { params["_meta"]?.objectValue }
}

public struct JSONRPCNotification: Sendable {
    public var method: String
    public var params: JSONObject

    public init(method: String, params: JSONObject = JSONObject()) {
        self.method = method
        self.params = params
    }

    /// The wire form, `{"jsonrpc":"2.0","method":…,"params":…}`.
    public func encoded() -> [UInt8] {
        var writer = JSONWriter(capacity: 128)
        writer.raw(#"{"jsonrpc":"2.0","method":"#)
        writer.string(method)
        if !params.isEmpty {
            writer.raw(#","params":"#)
            writer.object(params)
        }
        writer.raw("}")
        return writer.bytes
    }
}

public struct JSONRPCResponse: Sendable {
    public var id: JSONRPCID
    public var outcome: Result<JSONValue, MCPError>

    public init(id: JSONRPCID, outcome: Result<JSONValue, MCPError>) {
        self.id = id
        self.outcome = outcome
    }
}

/// Wire encoders for replies; the id is spliced in as its original text.
public enum JSONRPCEncoding {
    public static func result(id: JSONRPCID, result: JSONObject) -> [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writeResult(id: id, result: result, into: &writer)
        return writer.bytes
    }

    public static func writeResult(id: JSONRPCID, result: JSONObject, into writer: inout JSONWriter) {
        writer.raw(#"{"jsonrpc":"2.0","id":"#)
        id.write(to: &writer)
        writer.raw(#","result":"#)
        writer.object(result)
        writer.raw("}")
    }

    /// An error reply; `id` is `null` when the request id could not be read.
    public static func error(_ error: MCPError, id: JSONRPCID?) -> [UInt8] {
        var writer = JSONWriter(capacity: 160)
        writeError(error, id: id, into: &writer)
        return writer.bytes
    }

    public static func writeError(_ error: MCPError, id: JSONRPCID?, into writer: inout JSONWriter) {
        writer.raw(#"{"jsonrpc":"2.0","id":"#)
        if let id = id ?? error.id { id.write(to: &writer) } else { writer.raw("null") }
        writer.raw(#","error":{"code":"#)
        writer.raw(String(error.code.rawValue).utf8)
        writer.raw(#","message":"#)
        writer.string(error.message)
        if let data = error.data {
            writer.raw(#","data":"#)
            writer.value(data)
        }
        writer.raw("}}")
    }

    public static func request(id: JSONRPCID, method: String, params: JSONObject) -> [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writer.raw(#"{"jsonrpc":"2.0","id":"#)
        id.write(to: &writer)
        writer.raw(#","method":"#)
        writer.string(method)
        writer.raw(#","params":"#)
        writer.object(params)
        writer.raw("}")
        return writer.bytes
    }
}
