import MCPCore
import Testing

@Suite("RequestMeta")
struct RequestMetaTests {
    static let validMeta = #"{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"sampling":{}}}"#

    /// `params` of a 2026-07-28 request whose `_meta` is missing or incomplete, and what the message must name.
    static let invalid: [(params: String, fragment: String)] = [
        ("{}", "Missing params._meta"),
        (#"{"_meta":"x"}"#, "Missing params._meta"),
        (#"{"_meta":null}"#, "Missing params._meta"),
        (#"{"_meta":{}}"#, "io.modelcontextprotocol/protocolVersion"),
        (#"{"_meta":{"io.modelcontextprotocol/protocolVersion":20260728,"io.modelcontextprotocol/clientCapabilities":{}}}"#, "io.modelcontextprotocol/protocolVersion"),
        (#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}"#, "io.modelcontextprotocol/clientCapabilities"),
        (#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":[]}}"#, "io.modelcontextprotocol/clientCapabilities"),
        (#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/logLevel":"loud"}}"#, "io.modelcontextprotocol/logLevel"),
        (#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/logLevel":3}}"#, "io.modelcontextprotocol/logLevel"),
    ]

    @Test("a missing _meta or required key is -32602 with HTTP 400 and the request id", arguments: invalid)
    func refusesIncompleteMeta(_ params: String, _ fragment: String) {
        let request = makeRequest("tools/list", jsonObject(params), id: .string("m-1"))
        let error = #expect(throws: MCPError.self) { try RequestMeta(request: request) }
        #expect(error?.code.rawValue == -32602)
        #expect(error?.httpStatus == 400)
        #expect(error?.id == .string("m-1"))
        #expect(error?.message.contains(fragment) == true, "message was \(error?.message ?? "none")")
    }

    @Test("a complete _meta is read into its fields")
    func readsMeta() throws {
        let params = jsonObject(
            #"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"roots":{}},"io.modelcontextprotocol/clientInfo":{"name":"c","version":"0"},"io.modelcontextprotocol/logLevel":"warning","progressToken":42}}"#
        )
        let meta = try RequestMeta(request: makeRequest("tools/list", params))
        #expect(meta.protocolVersionText == "2026-07-28")
        #expect(meta.clientCapabilities == ["roots": [:]])
        #expect(meta.clientInfo == ["name": "c", "version": "0"])
        #expect(meta.logLevel == .warning)
        #expect(meta.progressToken == 42)
        #expect(try meta.servedVersion(id: JSONRPCID(1)) == .v2026_07_28)
    }

    @Test("optional keys may be absent")
    func optionalKeys() throws {
        let meta = try RequestMeta(request: makeRequest("ping", ["_meta": json(Self.validMeta)]))
        #expect(meta.clientInfo == nil)
        #expect(meta.logLevel == nil)
        #expect(meta.progressToken == nil)
    }

    @Test("an unsupported version is -32022 naming the supported and requested versions", arguments: [
        "2025-11-25", "2025-03-26", "2099-01-01", "", "2026-07-28x",
    ])
    func refusesUnsupportedVersion(_ requested: String) throws {
        let params: JSONObject = [
            "_meta": [MetaKey.protocolVersion: .string(requested), MetaKey.clientCapabilities: [:]]
        ]
        let meta = try RequestMeta(request: makeRequest("tools/list", params))
        let error = #expect(throws: MCPError.self) { try meta.servedVersion(id: .string("v")) }
        #expect(error?.code.rawValue == -32022)
        #expect(error?.httpStatus == 400)
        #expect(error?.id == .string("v"))
        #expect(error?.data?["supported"] == ["2026-07-28"])
        #expect(error?.data?["requested"] == .string(requested))
    }

    @Test("a modern context takes capabilities, client info, progress token and log level from _meta")
    func buildsModernContext() throws {
        let params = jsonObject(
            #"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"elicitation":{}},"io.modelcontextprotocol/logLevel":"error","progressToken":"p"}}"#
        )
        let request = makeRequest("tools/call", params, id: .string("q"))
        let meta = try RequestMeta(request: request)
        let context = HandlerContext.modern(request, meta: meta, version: .v2026_07_28, logger: quietLogger)
        #expect(context.requestID == .string("q"))
        #expect(context.clientSupports("elicitation"))
        #expect(!context.clientSupports("sampling"))
        #expect(context.progressToken == "p")
        #expect(context.logThreshold == .error)
        #expect(context.sessionID == nil)
    }
}
