public import Hummingbird
public import MCPHTTP
import Foundation
import HTTPTypes
import MCPCore
import NIOCore

/// The HTTP routes of authentication: the protected-resource metadata at its well-known
/// paths, and `/_portico/auth`, the endpoint nginx's `auth_request` asks about each request.
public struct AuthRoutes<Context: ChannelRequestContext>: Sendable {
    /// The edge subrequest's path; the rendered nginx config points `auth_request` here.
    public static var edgePath: String { "/_portico/auth" }

    let gate: AuthGate
    /// `auth.edge.cache_seconds` when the edge asks `/_portico/auth`; `nil` when it does not,
    /// and then the route does not exist.
    let edgeCacheSeconds: Int?

    public init(gate: AuthGate, edgeCacheSeconds: Int?) {
        self.gate = gate
        self.edgeCacheSeconds = edgeCacheSeconds
    }

    public func register(on router: Router<Context>) {
        if let metadata = gate.metadata {
            let document = ByteBuffer(bytes: metadata.json)
            for path in metadata.wellKnownPaths {
                router.get(RouterPath(path)) { _, _ in
                    // Public by nature: any origin may read it, caches may keep it.
                    Response(
                        status: .ok,
                        headers: [.contentType: "application/json", .cacheControl: "public, max-age=3600", .accessControlAllowOrigin: "*"],
                        body: ResponseBody(byteBuffer: document))
                }
            }
        }
        guard edgeCacheSeconds != nil else { return }
        for method in [HTTPRequest.Method.get, .head, .post, .delete, .options] {
            router.on(RouterPath(Self.edgePath), method: method) { request, context in
                await self.edgeVerdict(request, context: context)
            }
        }
    }

    /// nginx `auth_request` turns 2xx into "go on", 401 and 403 into that answer (copying
    /// `WWW-Authenticate` on 401), anything else into 500. So a bad or missing credential is
    /// 401 here, refused at the edge; everything the app words better (a malformed header, an
    /// unreachable issuer, missing scopes) is 204 without a principal and left to the app.
    func edgeVerdict(_ request: Request, context: Context) async -> Response {
        // Only the edge may ask: to anyone else this would be a free token-checking oracle.
        guard gate.trustedProxies.contains(context.channel.remoteAddress) else {
            return Response(status: .notFound)
        }
        // CORS preflights carry no credentials by design; the app answers them.
        if request.headers[EdgeSubrequestHeader.originalMethod] == "OPTIONS" { return Response(status: .noContent) }
        var head = request.head
        head.path = request.headers[EdgeSubrequestHeader.originalURI] ?? request.head.path
        let (decision, expiresAt) = await gate.evaluate(head, peer: context.channel.remoteAddress)
        switch decision {
        case .admit(let principal?):
            var headers: HTTPFields = [AuthGate.EdgeHeader.principal: Self.headerSafe(principal.id)]
            headers[AuthGate.EdgeHeader.scopes] = principal.scopes.sorted().joined(separator: " ")
            // nginx keeps a verdict `cache_seconds`; a token that expires sooner must not outlive
            // itself there (`X-Accel-Expires: @<epoch seconds>` overrides proxy_cache_valid).
            if let expiresAt, let seconds = edgeCacheSeconds, seconds > 0 {
                headers[Self.accelExpires] = "@\(Int(min(expiresAt, Date().timeIntervalSince1970 + Double(seconds))))"
            }
            return Response(status: .noContent, headers: headers)
        case .admit(nil):
            return Response(status: .noContent)
        case .refuse(let refusal) where refusal.status == .unauthorized:
            return Response(status: .unauthorized, headers: refusal.headers)
        case .refuse:
            return Response(status: .noContent)
        }
    }


    /// Visible ASCII passes; anything else is percent-encoded, so a header never breaks.
    static func headerSafe(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            if (0x21...0x7E).contains(byte), byte != UInt8(ascii: "%") {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded
            }
        }
        return result
    }
}

extension AuthRoutes {
    static var accelExpires: HTTPField.Name { HTTPField.Name("X-Accel-Expires")! }
}

/// Headers the edge's `auth_request` location adds: the subrequest itself is a bodiless GET.
enum EdgeSubrequestHeader {
    static let originalMethod = HTTPField.Name("X-Original-Method")!
    static let originalURI = HTTPField.Name("X-Original-URI")!
}

extension String {
    fileprivate var leftPadded: String { count == 1 ? "0" + self : self }
}
