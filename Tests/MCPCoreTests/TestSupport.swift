import Logging
import MCPCore
import Synchronization
import Testing

/// A logger that prints nothing, so expected failures do not clutter the test log.
let quietLogger = Logger(label: "portico.tests") { _ in SwiftLogNoOpLogHandler() }

/// Parses a JSON text that the test itself wrote; a typo in a fixture fails loudly.
func json(_ text: String) -> JSONValue {
    do {
        return try JSONParser.parse(text)
    } catch {
        Issue.record("fixture is not JSON: \(error) in \(text)")
        return .null
    }
}

/// Parses a fixture that must be a JSON object.
func jsonObject(_ text: String) -> JSONObject {
    guard case .object(let object) = json(text) else {
        Issue.record("fixture is not a JSON object: \(text)")
        return [:]
    }
    return object
}

func utf8(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// A request context built with the public initialiser: no session, no stream.
func makeContext(
    _ version: ProtocolVersion,
    id: JSONRPCID = JSONRPCID(1),
    capabilities: JSONObject = [:],
    clientInfo: JSONObject? = nil,
    progressToken: JSONValue? = nil,
    logLevel: LoggingLevel? = nil,
    stream: MessageStream? = nil
) -> HandlerContext {
    HandlerContext(
        requestID: id, protocolVersion: version, clientCapabilities: capabilities, clientInfo: clientInfo,
        progressToken: progressToken, requestLogLevel: logLevel, session: nil, stream: stream, logger: quietLogger)
}

func makeRequest(_ method: String, _ params: JSONObject = [:], id: JSONRPCID = JSONRPCID(1)) -> JSONRPCRequest {
    JSONRPCRequest(id: id, method: method, params: params)
}

func makeServer(
    _ registry: Registry = Registry(),
    sessions: SessionStore = SessionStore(),
    options: MCPServer.Options = MCPServer.Options(),
    info: MCPServer.Info = MCPServer.Info(name: "portico-test", version: "1.2.3")
) -> MCPServer {
    MCPServer(info: info, registry: registry, sessions: sessions, options: options, logger: quietLogger)
}

extension MCPServer {
    /// Dispatches `method` with `params` as a request of `version`, without session or stream.
    func call(_ method: String, _ params: JSONObject = [:], version: ProtocolVersion, capabilities: JSONObject = [:]) async -> Result<
        JSONObject, MCPError
    > {
        await handle(makeRequest(method, params), context: makeContext(version, capabilities: capabilities))
    }
}

extension Result {
    var successValue: Success? {
        if case .success(let value) = self { return value }
        return nil
    }

    var failureValue: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

/// The text of the first content block of a `tools/call` result.
func firstText(_ result: JSONObject) -> String? {
    result["content"]?.arrayValue?.first?["text"]?.stringValue
}

/// A thread-safe list of strings that closures and tasks append to.
final class Recorder: Sendable {
    private let items = Mutex<[String]>([])

    init() {}

    func append(_ item: String) { items.withLock { $0.append(item) } }

    var values: [String] { items.withLock { $0 } }
}
