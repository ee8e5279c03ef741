import MCPCore
import Testing

@Suite("JSONRPCMessage")
struct JSONRPCMessageTests {
    enum Kind: Sendable, Equatable {
        case request(id: String, method: String)
        case notification(method: String)
        case result(id: String)
        case error(id: String, code: Int, message: String)
    }

    static func kind(of message: JSONRPCMessage) -> Kind {
        switch message {
        case .request(let request): .request(id: request.id.description, method: request.method)
        case .notification(let notification): .notification(method: notification.method)
        case .response(let response):
            switch response.outcome {
            case .success: .result(id: response.id.description)
            case .failure(let error): .error(id: response.id.description, code: error.code.rawValue, message: error.message)
            }
        }
    }

    static let classified: [(text: String, kind: Kind)] = [
        (#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, .request(id: "1", method: "ping")),
        (#"{"jsonrpc":"2.0","id":"abc","method":"tools/list","params":{}}"#, .request(id: #""abc""#, method: "tools/list")),
        (#"{"method":"tools/call","id":18446744073709551617,"jsonrpc":"2.0"}"#, .request(id: "18446744073709551617", method: "tools/call")),
        (#"{"jsonrpc":"2.0","id":0,"method":"x","params":null}"#, .request(id: "0", method: "x")),
        (#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#, .notification(method: "notifications/initialized")),
        (#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3}}"#, .notification(method: "notifications/cancelled")),
        (#"{"jsonrpc":"2.0","id":"portico-1","result":{"roots":[]}}"#, .result(id: #""portico-1""#)),
        (#"{"jsonrpc":"2.0","id":7,"result":null}"#, .result(id: "7")),
        (#"{"jsonrpc":"2.0","id":7,"error":{"code":-32601,"message":"nope"}}"#, .error(id: "7", code: -32601, message: "nope")),
        (#"{"jsonrpc":"2.0","id":"s","error":{"message":"no code"}}"#, .error(id: #""s""#, code: -32603, message: "no code")),
    ]

    @Test("requests, notifications and responses are told apart", arguments: classified)
    func classifies(_ text: String, _ expected: Kind) throws {
        let message = try JSONRPCMessage(json: json(text))
        #expect(Self.kind(of: message) == expected)
    }

    @Test("request params are kept as the object that was sent")
    func keepsParams() throws {
        let message = try JSONRPCMessage(json: json(#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"b":1,"a":{"_x":[1.0]},"_meta":{"progressToken":"t"}}}"#))
        guard case .request(let request) = message else {
            Issue.record("not a request")
            return
        }
        #expect(JSONValue.object(request.params).jsonString == #"{"b":1,"a":{"_x":[1.0]},"_meta":{"progressToken":"t"}}"#)
        #expect(request.meta?["progressToken"] == "t")
    }

    @Test("an error response keeps its data")
    func keepsErrorData() throws {
        let message = try JSONRPCMessage(json: json(#"{"jsonrpc":"2.0","id":2,"error":{"code":-32002,"message":"gone","data":{"uri":"x://y"}}}"#))
        guard case .response(let response) = message, case .failure(let error) = response.outcome else {
            Issue.record("not an error response")
            return
        }
        #expect(error.data == ["uri": "x://y"])
    }

    /// Messages that are not JSON-RPC 2.0, and a fragment naming what is wrong.
    static let refused: [(text: String, fragment: String)] = [
        ("[]", "must be an object, got array"),
        (#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#, "must be an object, got array"),
        (#""ping""#, "must be an object, got string"),
        ("1", "must be an object, got integer"),
        ("null", "must be an object, got null"),
        (#"{"id":1,"method":"ping"}"#, "'jsonrpc'"),
        (#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#, "'jsonrpc'"),
        (#"{"jsonrpc":2.0,"id":1,"method":"ping"}"#, "'jsonrpc'"),
        (#"{"jsonrpc":"2.0","id":true,"method":"ping"}"#, "'id' must be a string or an integer, got boolean"),
        (#"{"jsonrpc":"2.0","id":{},"method":"ping"}"#, "'id' must be a string or an integer, got object"),
        (#"{"jsonrpc":"2.0","id":[1],"method":"ping"}"#, "'id' must be a string or an integer, got array"),
        (#"{"jsonrpc":"2.0","id":1,"method":"m","params":[1,2]}"#, "'params' must be an object, got array"),
        (#"{"jsonrpc":"2.0","id":1,"method":"m","params":"x"}"#, "'params' must be an object, got string"),
        (#"{"jsonrpc":"2.0","method":"m","params":3}"#, "'params' must be an object, got integer"),
        (#"{"jsonrpc":"2.0","id":1,"method":5}"#, "'method' must be a string"),
        (#"{"jsonrpc":"2.0"}"#, "neither 'method' nor 'id'"),
        (#"{"jsonrpc":"2.0","params":{}}"#, "neither 'method' nor 'id'"),
        (#"{"jsonrpc":"2.0","id":1}"#, "'result' or 'error'"),
        (#"{"jsonrpc":"2.0","id":1,"error":"bad"}"#, "'result' or 'error'"),
    ]

    @Test("malformed messages are -32600 naming the offending member", arguments: refused)
    func refuses(_ text: String, _ fragment: String) {
        let error = #expect(throws: MCPError.self) { try JSONRPCMessage(json: json(text)) }
        #expect(error?.code == .invalidRequest)
        #expect(error?.code.rawValue == -32600)
        #expect(error?.httpStatus == 400)
        #expect(error?.message.contains(fragment) == true, "message was \(error?.message ?? "none")")
    }

    @Test("a refusal echoes the request id when it could be read", arguments: [
        (#"{"jsonrpc":"1.0","id":"r1","method":"ping"}"#, JSONRPCID.string("r1")),
        (#"{"jsonrpc":"2.0","id":9,"method":"m","params":[]}"#, JSONRPCID(9)),
        (#"{"jsonrpc":"2.0","id":9,"method":false}"#, JSONRPCID(9)),
        (#"{"jsonrpc":"2.0","id":"z"}"#, JSONRPCID.string("z")),
    ])
    func refusalKeepsID(_ text: String, _ id: JSONRPCID) {
        let error = #expect(throws: MCPError.self) { try JSONRPCMessage(json: json(text)) }
        #expect(error?.id == id)
    }

    @Test("MCP forbids a null request id: a request with id null is refused, not taken for a notification")
    func refusesNullRequestID() {
        // MCP basic §Requests: "Unlike base JSON-RPC, the ID MUST NOT be null."
        let error = #expect(throws: MCPError.self) {
            try JSONRPCMessage(json: json(#"{"jsonrpc":"2.0","id":null,"method":"tools/list"}"#))
        }
        #expect(error?.code == .invalidRequest)
    }
}

@Suite("JSONRPCEncoding")
struct JSONRPCEncodingTests {
    static let bigInteger = JSONRPCID.number(JSONNumber(unchecked: "18446744073709551617"))

    @Test("result replies splice the id in as written", arguments: [
        (JSONRPCID(7), #"{"jsonrpc":"2.0","id":7,"result":{"ok":true}}"#),
        (JSONRPCID.string("a\"b"), #"{"jsonrpc":"2.0","id":"a\"b","result":{"ok":true}}"#),
        (JSONRPCID.string("é"), #"{"jsonrpc":"2.0","id":"é","result":{"ok":true}}"#),
        (bigInteger, #"{"jsonrpc":"2.0","id":18446744073709551617,"result":{"ok":true}}"#),
        (JSONRPCID.number(JSONNumber(unchecked: "-0")), #"{"jsonrpc":"2.0","id":-0,"result":{"ok":true}}"#),
        (JSONRPCID.number(JSONNumber(unchecked: "1.50")), #"{"jsonrpc":"2.0","id":1.50,"result":{"ok":true}}"#),
    ])
    func encodesResult(_ id: JSONRPCID, _ expected: String) {
        #expect(utf8(JSONRPCEncoding.result(id: id, result: ["ok": true])) == expected)
    }

    @Test("an id read from a request is echoed byte for byte", arguments: [
        "18446744073709551617", "-0", "1e3", "1.0", #""req-1""#, #""tab\tquote\"""#,
    ])
    func echoesParsedID(_ literal: String) throws {
        let message = try JSONRPCMessage(json: json(#"{"jsonrpc":"2.0","id":\#(literal),"method":"ping"}"#))
        guard case .request(let request) = message else {
            Issue.record("not a request")
            return
        }
        #expect(utf8(JSONRPCEncoding.result(id: request.id, result: [:])) == #"{"jsonrpc":"2.0","id":\#(literal),"result":{}}"#)
        #expect(utf8(JSONRPCEncoding.error(.methodNotFound("x"), id: request.id)).hasPrefix(#"{"jsonrpc":"2.0","id":\#(literal),"#))
    }

    @Test("error replies carry code, message and data; the id falls back to the error's, then null", arguments: [
        (
            MCPError(code: .invalidParams, message: "bad \"uri\"", data: ["uri": "x://y"]), Optional(bigInteger),
            #"{"jsonrpc":"2.0","id":18446744073709551617,"error":{"code":-32602,"message":"bad \"uri\"","data":{"uri":"x://y"}}}"#
        ),
        (
            MCPError(code: .invalidRequest, message: "no", id: .string("from-error")), nil,
            #"{"jsonrpc":"2.0","id":"from-error","error":{"code":-32600,"message":"no"}}"#
        ),
        (
            MCPError(code: .parseError, message: "not JSON"), nil,
            #"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"not JSON"}}"#
        ),
        (
            MCPError(code: .invalidRequest, message: "m", id: .string("ignored")), Optional(JSONRPCID(3)),
            #"{"jsonrpc":"2.0","id":3,"error":{"code":-32600,"message":"m"}}"#
        ),
    ])
    func encodesError(_ error: MCPError, _ id: JSONRPCID?, _ expected: String) {
        #expect(utf8(JSONRPCEncoding.error(error, id: id)) == expected)
    }

    @Test("server requests and notifications have the documented wire form")
    func encodesRequestAndNotification() {
        #expect(
            utf8(JSONRPCEncoding.request(id: .string("portico-1"), method: "roots/list", params: [:]))
                == #"{"jsonrpc":"2.0","id":"portico-1","method":"roots/list","params":{}}"#)
        #expect(
            utf8(JSONRPCNotification(method: "notifications/tools/list_changed").encoded())
                == #"{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}"#)
        #expect(
            utf8(JSONRPCNotification(method: "notifications/resources/updated", params: ["uri": "a://b"]).encoded())
                == #"{"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"uri":"a://b"}}"#)
    }

    @Test("error codes map to their HTTP status", arguments: [
        (ErrorCode.parseError, 400), (.invalidRequest, 400), (.methodNotFound, 200), (.invalidParams, 200),
        (.internalError, 200), (.sessionNotFound, 404), (.resourceNotFound, 200), (.headerMismatch, 400),
        (.missingRequiredClientCapability, 400), (.unsupportedProtocolVersion, 400),
    ])
    func mapsStatus(_ code: ErrorCode, _ status: Int) {
        #expect(MCPError(code: code, message: "x").httpStatus == status)
    }
}
