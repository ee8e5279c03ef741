import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A real authorization server on 127.0.0.1 (OS-chosen port) that serves whatever
/// documents a test puts at a path, answers RFC 7662 introspection, and counts requests.
final class TestAuthServer: Sendable {
    struct Document: Sendable {
        var status: Int
        var body: String
    }

    private struct State {
        var port = 0
        var documents: [String: Document] = [:]
        var requests: [String: Int] = [:]
        /// Introspection answers (JSON) by token; unknown tokens get `{"active":false}`.
        var introspection: [String: String] = [:]
        var introspectionStatus = 200
        var clientID = ""
        var clientSecret = ""
    }

    private let state = Mutex(State())

    var base: String { "http://127.0.0.1:\(state.withLock { $0.port })" }

    func serve(_ path: String, status: Int = 200, json: String) {
        state.withLock { $0.documents[path] = Document(status: status, body: json) }
    }

    func remove(_ path: String) {
        state.withLock { $0.documents[path] = nil }
    }

    func serveJWKS(_ keys: [TestKey], at path: String = "/jwks") {
        serve(path, json: TestKey.jwks(keys))
    }

    func requests(to path: String) -> Int {
        state.withLock { $0.requests[path] ?? 0 }
    }

    var totalRequests: Int {
        state.withLock { $0.requests.values.reduce(0, +) }
    }

    func expectClient(id: String, secret: String) {
        state.withLock {
            $0.clientID = id
            $0.clientSecret = secret
        }
    }

    func introspection(for token: String, answer json: String) {
        state.withLock { $0.introspection[token] = json }
    }

    func setIntrospectionStatus(_ status: Int) {
        state.withLock { $0.introspectionStatus = status }
    }

    /// Runs `body` with a started server; the server is stopped afterwards.
    static func with<T>(_ body: (TestAuthServer) async throws -> T) async throws -> T {
        let server = TestAuthServer()
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "test-authorization-server")
        logger.logLevel = .critical
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in try await server.respond(to: request) },
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger
        )
        let running = Task { try await app.run() }
        defer { running.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port != 0 else { throw CancellationError() }
        server.state.withLock { $0.port = port }
        return try await body(server)
    }

    private func respond(to request: Request) async throws -> Response {
        let path = request.uri.path
        state.withLock { $0.requests[path, default: 0] += 1 }
        if request.method == .post, path == "/introspect" {
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            return introspect(authorization: request.headers[.authorization], form: String(buffer: body))
        }
        guard let document = state.withLock({ $0.documents[path] }) else {
            return Self.json(404, #"{"error":"not_found"}"#)
        }
        return Self.json(document.status, document.body)
    }

    private func introspect(authorization: String?, form: String) -> Response {
        let (status, id, secret, answers) = state.withLock { ($0.introspectionStatus, $0.clientID, $0.clientSecret, $0.introspection) }
        guard status == 200 else { return Self.json(status, #"{"error":"server_error"}"#) }
        // RFC 6749 §2.3.1: base64 of form-encoded id ":" form-encoded secret.
        guard let authorization, authorization.hasPrefix("Basic "),
            let decoded = Data(base64Encoded: String(authorization.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }),
            let colon = decoded.firstIndex(of: ":"),
            Self.formDecode(decoded[..<colon]) == id,
            Self.formDecode(decoded[decoded.index(after: colon)...]) == secret
        else {
            return Self.json(401, #"{"error":"invalid_client"}"#)
        }
        var fields: [String: String] = [:]
        for pair in form.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2 { fields[Self.formDecode(parts[0])] = Self.formDecode(parts[1]) }
        }
        guard let token = fields["token"], fields["token_type_hint"] == "access_token" else {
            return Self.json(400, #"{"error":"invalid_request"}"#)
        }
        return Self.json(200, answers[token] ?? #"{"active":false}"#)
    }

    private static func formDecode(_ text: Substring) -> String {
        (text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding) ?? ""
    }

    private static func json(_ status: Int, _ body: String) -> Response {
        Response(
            status: HTTPResponse.Status(code: status),
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body))
        )
    }
}
