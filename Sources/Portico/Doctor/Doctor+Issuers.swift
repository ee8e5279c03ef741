import AsyncHTTPClient
import Foundation
import MCPAuth
import NIOCore
import NIOHTTP1
import PorticoConfig

extension Doctor {
    /// What one issuer's discovery and key fetch showed.
    struct IssuerProbe: Sendable {
        var issuer: String
        var keys: Int?
        var problem: String?
        /// The issuer's clock minus ours, from its `Date` header.
        var skew: Double?
    }

    /// `jwks` and `clock-skew`, one fetch round per issuer.
    func issuerChecks() async -> [DoctorCheck] {
        let auth = target.configuration.auth
        let jwtIssuers = auth.issuers.filter { $0.introspection == nil || $0.jwksURL != nil }
        guard auth.enabled, !auth.issuers.isEmpty else {
            let reason = auth.enabled ? "auth has no issuers (API keys or certificates only)" : "auth is off"
            return [.skip("jwks", reason), .skip("clock-skew", reason)]
        }
        // Issuers are real TLS servers: verify them as the app does.
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                                configuration: .init(redirectConfiguration: .follow(max: 3, allowCycles: false), timeout: .init(connect: .seconds(5), read: .seconds(5))))
        var probes: [IssuerProbe] = []
        for issuer in auth.issuers {
            probes.append(await probeIssuer(issuer.issuer, jwksURL: issuer.jwksURL, wantsKeys: jwtIssuers.contains(issuer), client: client))
        }
        try? await client.shutdown()
        return [jwksCheck(probes), clockSkewCheck(probes, leeway: Double(auth.leewaySeconds))]
    }

    func probeIssuer(_ issuer: String, jwksURL: String?, wantsKeys: Bool, client: HTTPClient) async -> IssuerProbe {
        var probe = IssuerProbe(issuer: issuer)
        func get(_ url: String) async throws -> (status: Int, headers: HTTPHeaders, body: [String: Any]?) {
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Accept", value: "application/json")
            let response = try await client.execute(request, timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 1 << 20)
            if let date = response.headers.first(name: "Date").flatMap(Self.httpDate) {
                probe.skew = date.timeIntervalSinceNow
            }
            let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
            return (Int(response.status.code), response.headers, object)
        }
        do {
            var keysURL = jwksURL
            if keysURL == nil {
                // The order the app's discovery uses (RFC 8414 first, then both OIDC forms).
                for candidate in AuthorizationServerMetadata.candidateURLs(for: issuer) {
                    let reply = try await get(candidate)
                    guard reply.status == 200, let document = reply.body else { continue }
                    guard document["issuer"] as? String == issuer else {
                        probe.problem = "\(candidate) names issuer \(document["issuer"] as? String ?? "-"), not \(issuer)"
                        continue
                    }
                    keysURL = document["jwks_uri"] as? String
                    probe.problem = keysURL == nil ? "\(candidate) has no jwks_uri" : nil
                    break
                }
            }
            guard wantsKeys else { return probe }
            guard let keysURL else {
                if probe.problem == nil { probe.problem = "no metadata at \(AuthorizationServerMetadata.candidateURLs(for: issuer).joined(separator: ", "))" }
                return probe
            }
            let reply = try await get(keysURL)
            guard reply.status == 200, let keys = reply.body?["keys"] as? [Any] else {
                probe.problem = "\(keysURL) answered \(reply.status) without a key set"
                return probe
            }
            probe.keys = keys.count
            probe.problem = keys.isEmpty ? "\(keysURL) lists no keys" : nil
        } catch {
            probe.problem = "\(issuer) could not be reached: \(error)"
        }
        return probe
    }

    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }

    /// `jwks`: every issuer's signing keys can be fetched (else every token is answered 503).
    func jwksCheck(_ probes: [IssuerProbe]) -> DoctorCheck {
        let failing = probes.filter { $0.problem != nil }
        if !failing.isEmpty {
            return .fail("jwks", failing.map { "\($0.issuer): \($0.problem ?? "")" }.joined(separator: "; "),
                         fix: "check auth.issuers[].issuer (exactly the tokens' iss) or set jwks_url; the box must reach the issuer over HTTPS")
        }
        return .pass("jwks", probes.map { "\($0.issuer): \($0.keys.map { "\($0) keys" } ?? "metadata only (introspection)")" }.joined(separator: "; "))
    }

    /// `clock-skew`: `exp`/`nbf` are judged by this box's clock with `auth.leeway_seconds` of
    /// slack; past the leeway fresh tokens look expired or not yet valid. When the probe
    /// credential is a JWT, a skew over half its lifetime (`exp - iat`) fails: such tokens are
    /// refused for most of their life. Otherwise the bar is five minutes — the lifetime of many
    /// access tokens.
    func clockSkewCheck(_ probes: [IssuerProbe], leeway: Double) -> DoctorCheck {
        let measured = probes.compactMap { probe in probe.skew.map { (probe.issuer, $0) } }
        guard let worst = measured.max(by: { abs($0.1) < abs($1.1) }) else {
            return .skip("clock-skew", "no issuer answered with a Date header")
        }
        let skew = abs(worst.1)
        let direction = worst.1 > 0 ? "ahead of" : "behind"
        let summary = "\(worst.0)'s clock is \(Int(skew.rounded())) s \(direction) this box (HTTP Date, 1 s resolution; leeway \(Int(leeway)) s)"
        let fix = "synchronise this box's clock (timedatectl set-ntp true / chrony)"
        if let lifetime = target.token.flatMap(TokenLifetime.seconds) {
            let lived = "the probe token lives \(Int(lifetime.rounded())) s (exp - iat)"
            if skew > max(lifetime / 2, leeway) {
                return .fail("clock-skew", summary + ": more than half of the \(Int(lifetime.rounded())) s the probe token lives (exp - iat), so such tokens look expired or not yet valid for most of their life", fix: fix)
            }
            if skew > leeway { return .warn("clock-skew", summary + "; \(lived): fresh tokens may look expired or not yet valid", fix: fix + ", or raise auth.leeway_seconds") }
            return .pass("clock-skew", summary + "; \(lived)")
        }
        if skew > max(300, leeway) { return .fail("clock-skew", summary + ": tokens with short lifetimes are refused", fix: fix) }
        if skew > leeway { return .warn("clock-skew", summary + ": fresh tokens may look expired or not yet valid", fix: fix + ", or raise auth.leeway_seconds") }
        return .pass("clock-skew", summary)
    }
}
