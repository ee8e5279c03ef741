import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1

/// The one place that talks to authorization servers. Any failure to get an answer
/// (connection refused, timeout, a body too large) becomes `.unavailable`: the token
/// may be fine, the server just cannot tell right now.
enum HTTPFetch {
    /// Metadata, key sets and introspection answers are small; a bigger body is a
    /// misbehaving server, and reading it whole would let it exhaust memory.
    static let maximumBodyBytes = 1 << 20
    /// Long enough for a slow server, short enough that a request waiting on it does not
    /// hang (the MCP client will retry after the 503).
    static let timeout: TimeAmount = .seconds(5)

    struct Reply {
        var status: Int
        var body: ByteBuffer
    }

    static func send(
        _ request: HTTPClientRequest,
        with client: HTTPClient,
        logger: Logger,
        what: String
    ) async throws(TokenRejection) -> Reply {
        do {
            let response = try await client.execute(request, timeout: timeout, logger: logger)
            let body = try await response.body.collect(upTo: maximumBodyBytes)
            return Reply(status: Int(response.status.code), body: body)
        } catch {
            logger.warning("Could not fetch \(what)", metadata: ["url": "\(request.url)", "error": "\(error)"])
            throw TokenRejection(.unavailable, "the \(what) could not be fetched")
        }
    }

    static func get(_ url: String, with client: HTTPClient, logger: Logger, what: String) async throws(TokenRejection) -> Reply {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        return try await send(request, with: client, logger: logger, what: what)
    }
}
