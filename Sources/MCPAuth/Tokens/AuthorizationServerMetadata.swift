import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat

/// The parts of an authorization server's metadata (RFC 8414 §2, OpenID Connect
/// Discovery 1.0 §3) that a resource server needs: where the signing keys are.
public struct AuthorizationServerMetadata: Decodable, Sendable {
    let issuer: String
    let jwksURI: String?

    enum CodingKeys: String, CodingKey {
        case issuer
        case jwksURI = "jwks_uri"
    }

    /// Where to look, in order. MCP (2025-06-18 and later) tells clients to try RFC 8414
    /// first and then both OpenID Connect forms, so an authorization server an MCP client
    /// can use is found the same way here:
    /// 1. `{origin}/.well-known/oauth-authorization-server{path}` (RFC 8414 §3.1),
    /// 2. `{issuer}/.well-known/openid-configuration` (OIDC Discovery §4),
    /// 3. `{origin}/.well-known/openid-configuration{path}` (RFC 8414 §5 for OIDC).
    /// A terminating `/` of the issuer is dropped first (RFC 8414 §3.1).
    /// Where an issuer's metadata may be, in the order they are tried.
    public static func candidateURLs(for issuer: String) -> [String] {
        var trimmed = Substring(issuer)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let schemeEnd = trimmed.range(of: "://") else { return [] }
        let pathStart = trimmed[schemeEnd.upperBound...].firstIndex(of: "/") ?? trimmed.endIndex
        let origin = trimmed[..<pathStart]
        let path = trimmed[pathStart...]
        var urls: [String] = []
        for url in [
            "\(origin)/.well-known/oauth-authorization-server\(path)",
            "\(trimmed)/.well-known/openid-configuration",
            "\(origin)/.well-known/openid-configuration\(path)",
        ] where !urls.contains(url) {
            urls.append(url)
        }
        return urls
    }

    /// Fetches the first metadata document that exists and is about `issuer`. A document
    /// naming another issuer is never used (RFC 8414 §3.3: it would let one server hand
    /// out another's keys), but the next candidate is still tried.
    static func discover(issuer: String, client: HTTPClient, logger: Logger) async throws(TokenRejection) -> AuthorizationServerMetadata {
        var sawMismatch = false
        for url in candidateURLs(for: issuer) {
            let reply: HTTPFetch.Reply
            do {
                reply = try await HTTPFetch.get(url, with: client, logger: logger, what: "authorization server metadata")
            } catch {
                // Every candidate is on the issuer's origin: if one cannot be reached, none can.
                throw error
            }
            guard reply.status == 200 else {
                logger.debug("No authorization server metadata here", metadata: ["url": "\(url)", "status": "\(reply.status)"])
                continue
            }
            guard let metadata = try? JSONDecoder().decode(AuthorizationServerMetadata.self, from: reply.body) else {
                logger.warning("Authorization server metadata is not valid JSON", metadata: ["url": "\(url)"])
                continue
            }
            guard metadata.issuer == issuer else {
                logger.error(
                    "Authorization server metadata names another issuer; not used (RFC 8414 section 3.3)",
                    metadata: ["url": "\(url)", "configured": "\(issuer)", "found": "\(metadata.issuer)"]
                )
                sawMismatch = true
                continue
            }
            return metadata
        }
        if sawMismatch {
            throw TokenRejection(.unavailable, "the authorization server metadata names a different issuer than the one configured")
        }
        throw TokenRejection(.unavailable, "the authorization server metadata for the token issuer could not be found")
    }
}
