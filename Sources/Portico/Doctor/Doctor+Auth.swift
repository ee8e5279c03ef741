import AsyncHTTPClient
import Foundation
import MCPAuth
import NginxKit
import NIOCore
import NIOHTTP1
import PorticoConfig

extension Doctor {
    /// The identifier clients compare with: `auth.resource`, else `server.public_url`.
    var configuredResource: String? {
        target.configuration.auth.resource ?? target.configuration.server.publicURL
    }

    /// `protected-resource`: through nginx, the RFC 9728 metadata must name the URL clients
    /// use (they refuse a mismatch, RFC 9728 §3.3), and challenges must point there by the
    /// same scheme the client used.
    func protectedResourceCheck(_ http: DoctorHTTP) async -> DoctorCheck {
        let id = "protected-resource"
        guard target.configuration.auth.enabled else { return .skip(id, "auth is off") }
        guard edgeReachable else { return .skip(id, "the edge is unreachable (see streaming)") }
        // The scheme the app is told about: nginx's X-Forwarded-Proto for this location.
        var protoNote: String?
        if let live = target.live, target.location != nil {
            let headers = live.effective("proxy_set_header", location: target.location, server: target.server) ?? []
            if let proto = headers.first(where: { $0.first?.lowercased() == "x-forwarded-proto" })?.dropFirst().first {
                let seen = proto == "$scheme" ? target.scheme : proto
                if seen != target.scheme {
                    return .fail(id, "nginx tells the app X-Forwarded-Proto: \(proto) (= \(seen)) for a \(target.scheme) public URL",
                                 fix: "proxy_set_header X-Forwarded-Proto $scheme; in the \(locationName) block (behind another TLS proxy: its scheme); \(applyHint)")
                }
                protoNote = "X-Forwarded-Proto \(proto) = \(seen)"
            } else {
                protoNote = "nginx sends no X-Forwarded-Proto"
            }
        }
        // Without issuers (API keys or client certificates only) the app names no authorization
        // server, so it serves no metadata and its challenges point nowhere.
        guard !target.configuration.auth.issuers.isEmpty else {
            return .pass(id, (["auth has no issuers, so the app serves no protected-resource metadata (API keys or certificates only)"] + [protoNote].compactMap { $0 }).joined(separator: "; "))
        }
        let wellKnown = "/.well-known/oauth-protected-resource"
        let pathForm = wellKnown + (target.path == "/" ? "" : target.path)
        var fetched: (path: String, reply: DoctorHTTP.Reply)?
        do {
            for path in [pathForm, wellKnown] {
                let reply = try await http.send(http.request(.GET, path, headers: [("Accept", "application/json")]))
                if reply.status == 200 {
                    fetched = (path, reply)
                    break
                }
                if fetched == nil { fetched = (path, reply) }
            }
        } catch {
            return .fail(id, "GET \(pathForm) through 127.0.0.1:\(target.port) failed: \(Self.describe(error))", fix: "is the stack running? portico up -c portico.yaml")
        }
        guard let (path, reply) = fetched, reply.status == 200 else {
            return .fail(id, "GET \(pathForm) through nginx answered \(fetched?.reply.status ?? 0): clients cannot find how to authenticate",
                         fix: "let \(wellKnown) through to the app (portico edge apply renders it); \(applyHint)")
        }
        guard let data = reply.body.data(using: .utf8),
              let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let resource = document["resource"] as? String else {
            return .fail(id, "\(path) is not protected-resource metadata: \(reply.body.prefix(120))", fix: "check that nginx proxies \(wellKnown) to the app")
        }
        if resource != target.publicURL {
            let where_ = target.configuration.auth.resource != nil ? "auth.resource" : "server.public_url"
            return .fail(id, "\(path) names resource \(resource), but clients reach \(target.publicURL): they refuse the metadata and tokens carry the wrong audience",
                         fix: "set \(where_) to \(target.publicURL) (exactly, no trailing slash), or pass --url if the public URL is another; tokens must be issued for it")
        }
        var notes = ["\(path) names \(resource)"] + [protoNote].compactMap { $0 }
        // A challenge must point at the metadata on the public origin, by the public scheme.
        if let challenge = try? await http.send(http.request(.POST, target.path, headers: [("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream"), ("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/list")],
                                                               body: DoctorHTTP.mcpBody(method: "tools/list", params: ""))),
           challenge.status == 401, let header = challenge.headers.first(name: "WWW-Authenticate"),
           let metadataURL = Self.parameter("resource_metadata", in: header) {
            let expectedOrigin = URLParts(target.publicURL)
            let named = URLParts(metadataURL)
            if named.scheme != expectedOrigin.scheme || named.authority.lowercased() != expectedOrigin.authority.lowercased() {
                return .fail(id, "the 401 challenge names \(metadataURL), not on \(target.scheme)://\(target.authority)",
                             fix: "set auth.resource / server.public_url to \(target.publicURL)")
            }
            notes.append("challenges name \(metadataURL)")
        }
        return .pass(id, notes.joined(separator: "; "))
    }

    /// The value of `name="…"` in a `WWW-Authenticate` header.
    static func parameter(_ name: String, in header: String) -> String? {
        guard let start = header.range(of: name + "=\"") else { return nil }
        let rest = header[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }

    /// `host-allow-list`: the app must accept the Host header clients send through nginx.
    func hostAllowListCheck(_ http: DoctorHTTP) async -> DoctorCheck {
        let id = "host-allow-list"
        guard edgeReachable else { return .skip(id, "the edge is unreachable (see streaming)") }
        let request = http.request(.POST, target.path, headers: http.mcpHeaders(method: "tools/list"), body: DoctorHTTP.mcpBody(method: "tools/list", params: ""))
        let reply: DoctorHTTP.Reply
        do { reply = try await http.send(request) } catch {
            return .fail(id, "POST \(target.publicURL) through 127.0.0.1:\(target.port) failed: \(Self.describe(error))", fix: "is the stack running? portico up -c portico.yaml")
        }
        if reply.status == 403, reply.body.contains("is not allowed") {
            return .fail(id, "the app refuses Host '\(target.authority)' through nginx (403: \(Self.errorMessage(in: reply.body)))",
                         fix: "set server.public_url: \(target.publicURL) (portico up and serve then accept its host), or add '\(target.authority)' to server.allowed_hosts")
        }
        switch reply.status {
        case 200:
            return .pass(id, "the app accepts Host '\(target.authority)' through nginx")
        case 401 where target.configuration.auth.enabled, 403 where target.configuration.auth.enabled:
            return .skip(id, "auth answered before the Host check (\(reply.status)); pass --token to probe past it", fix: "pass --token with an API key or access token")
        case 429:
            return .skip(id, "the edge rate-limited the probe (429)", fix: "run the doctor again in a minute")
        default:
            return .warn(id, "POST \(target.publicURL) answered \(reply.status): \(reply.body.prefix(160))", fix: "read the app's log and nginx's error log")
        }
    }
}
