import AsyncHTTPClient
import Foundation
import Logging
import MCPCore
import NIOCore
import NIOHTTP1
import NIOFoundationCompat

/// Asks an issuer about a token it cannot read itself (RFC 7662 token introspection):
/// opaque access tokens are only meaningful to the server that issued them.
struct IntrospectionVerifier: Sendable {
    let issuer: String
    let audience: String
    let settings: IntrospectionSettings
    let client: HTTPClient
    let logger: Logger
    let leeway: Double
    let now: @Sendable () -> Double

    init(issuer: IssuerSettings, introspection: IntrospectionSettings, client: HTTPClient, logger: Logger, leeway: Double, now: @escaping @Sendable () -> Double) {
        self.issuer = issuer.issuer
        self.audience = issuer.audience
        self.settings = introspection
        self.client = client
        self.logger = logger
        self.leeway = leeway
        self.now = now
    }

    func verify(_ token: String) async throws(TokenRejection) -> VerifiedToken {
        // RFC 7662 §2.1: a form POST, the resource server authenticating as a client.
        var request = HTTPClientRequest(url: settings.endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Authorization", value: basicAuthorization)
        request.body = .bytes(ByteBuffer(string: "token=\(Self.formEncode(token))&token_type_hint=access_token"))

        let reply = try await HTTPFetch.send(request, with: client, logger: logger, what: "token introspection endpoint")
        guard reply.status == 200 else {
            logger.warning("Token introspection failed", metadata: ["endpoint": "\(settings.endpoint)", "status": "\(reply.status)"])
            throw TokenRejection(.unavailable, "the token introspection endpoint did not answer")
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: reply.body) else {
            logger.warning("Token introspection answer is not the expected JSON", metadata: ["endpoint": "\(settings.endpoint)"])
            throw TokenRejection(.unavailable, "the token introspection endpoint gave an unreadable answer")
        }

        // RFC 7662 §2.2: nothing but `active` may be relied on for an inactive token.
        guard answer.active else {
            throw TokenRejection(.inactive, "the token is not active")
        }
        if let claimedIssuer = answer.iss, claimedIssuer != issuer {
            throw TokenRejection(.wrongIssuer, "the token was issued by another issuer")
        }
        // Audience binding is a MUST (MCP authorization §Token Audience Binding): an answer
        // that names no audience cannot show the token was meant for this resource.
        guard let audiences = answer.aud else {
            throw TokenRejection(.wrongAudience, "the introspection answer names no audience, so the token cannot be shown to be for this resource")
        }
        guard audiences.values.contains(audience) else {
            throw TokenRejection(.wrongAudience, "the token was not issued for this resource")
        }
        let now = now()
        if let expiresAt = answer.exp, now >= expiresAt + leeway {
            throw TokenRejection(.expired, "the token has expired")
        }
        if let notBefore = answer.nbf, now < notBefore - leeway {
            throw TokenRejection(.notYetValid, "the token is not valid yet")
        }
        // Fallback identifiers are marked with their kind: a client `alice` is not the user `alice`.
        guard let subject = answer.sub ?? answer.username.map({ "user:" + $0 }) ?? answer.clientID.map({ "client:" + $0 }) else {
            throw TokenRejection(.malformed, "the authorization server names no subject for the token")
        }
        return VerifiedToken(
            principal: Principal(id: "\(issuer)#\(subject)", scopes: answer.scope?.scopeSet ?? []),
            expiresAt: answer.exp
        )
    }

    /// RFC 6749 §2.3.1: the client id and secret are form-encoded *before* being joined
    /// with `:` and base64-encoded, so a `:` or non-ASCII character in either survives.
    private var basicAuthorization: String {
        let credentials = "\(Self.formEncode(settings.clientID)):\(Self.formEncode(settings.clientSecret))"
        return "Basic \(Data(credentials.utf8).base64EncodedString())"
    }

    /// `application/x-www-form-urlencoded` (WHATWG URL §5.2): `*-._` and alphanumerics
    /// stay, space becomes `+`, every other UTF-8 byte is percent-encoded.
    static func formEncode(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "*"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                output.append("+")
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                output.append("%")
                output.unicodeScalars.append(hex[Int(byte >> 4)])
                output.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return output
    }

    /// RFC 7662 §2.2.
    private struct Answer: Decodable {
        let active: Bool
        let scope: String?
        let clientID: String?
        let username: String?
        let sub: String?
        let exp: Double?
        let nbf: Double?
        let iss: String?
        let aud: StringList?

        enum CodingKeys: String, CodingKey {
            case active, scope, username, sub, exp, nbf, iss, aud
            case clientID = "client_id"
        }
    }
}
