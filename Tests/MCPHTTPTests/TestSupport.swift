import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MCPCore
import MCPHTTP
import NIOCore
import Portico
import PorticoConfig
import Testing

/// A live Portico app (demo and conformance packs) on an ephemeral loopback port.
func withPortico(
    configure: (inout PorticoConfiguration) -> Void = { _ in },
    _ body: @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    var configuration = PorticoConfiguration()
    configuration.server.port = 0
    configure(&configuration)
    var logger = Logger(label: "portico.test")
    logger.logLevel = .warning
    let portico = try PorticoServer(configuration: configuration, packs: [.demo, .conformance], logger: logger)
    let app = portico.makeApplication(address: .hostname("127.0.0.1", port: 0))
    try await app.test(.live) { client in try await body(client) }
}

enum Wire {
    static let modernVersion = "2026-07-28"

    static func modernMeta(capabilities: String = "{}", extra: String = "") -> String {
        #"{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":\#(capabilities)\#(extra)}"#
    }

    static func headers(_ pairs: [(String, String)]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in pairs { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        return fields
    }

    static let baseHeaders: [(String, String)] = [("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream")]

    static func modernHeaders(method: String, name: String? = nil) -> [(String, String)] {
        var pairs = baseHeaders + [("MCP-Protocol-Version", modernVersion), ("Mcp-Method", method)]
        if let name { pairs.append(("Mcp-Name", name)) }
        return pairs
    }
}

extension TestClientProtocol {
    func post(_ body: String, headers: [(String, String)] = Wire.baseHeaders, path: String = "/mcp") async throws -> TestResponse {
        try await execute(uri: path, method: .post, headers: Wire.headers(headers), body: ByteBuffer(string: body))
    }

    /// Opens a legacy session and returns its id.
    func initializeSession(version: String = "2025-11-25") async throws -> String {
        let response = try await post(
            #"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"\#(version)","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#)
        let id = try #require(response.headers[.mcpSessionID])
        _ = try await post(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#, headers: Wire.baseHeaders + [("Mcp-Session-Id", id)])
        return id
    }
}

extension TestResponse {
    var json: JSONValue? {
        var body = body
        if headers[.contentType] == "text/event-stream" {
            // The last `data:` line carries the final response.
            let text = body.readString(length: body.readableBytes) ?? ""
            let data = text.split(separator: "\n").last { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) } ?? ""
            return try? JSONParser.parse(data)
        }
        return try? JSONParser.parse(Array(body.readableBytesView))
    }

    var errorCode: Int? { json?["error"]?["code"]?.numberValue?.int64Value.map(Int.init) }
    var bodyText: String { String(buffer: body) }
}
