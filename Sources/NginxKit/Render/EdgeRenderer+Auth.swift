import PorticoConfig

extension EdgeRenderer {
    static let authZone = "portico_auth"
    static let authPath = "/_portico/auth"

    /// Whether nginx checks credentials itself (`auth.edge.offload`, with the module built in).
    /// Not with CORS origins: nginx's own 401 would carry no CORS headers, and a browser
    /// client could then not read the challenge that starts its authorization.
    var offloadsAuth: Bool {
        configuration.auth.enabled && configuration.auth.edge.offload && build.hasAuthRequest && configuration.server.corsOrigins.isEmpty
    }

    /// The cache of verdicts, keyed by the Authorization header. nginx names cache files by the
    /// key's MD5 but writes the key into each file, so the directory is the workers' alone
    /// and entries live only `auth.edge.cache_seconds`.
    func authCacheZone(warnings: inout [EdgeWarning]) -> [NginxDirective] {
        if configuration.auth.enabled, configuration.auth.edge.offload, !build.hasAuthRequest {
            warnings.append(EdgeWarning(
                feature: "auth.edge.offload", message: "left out: nginx \(build.version) was built without http_auth_request_module; the app checks every credential",
                isOmission: true))
        }
        if configuration.auth.enabled, configuration.auth.edge.offload, !configuration.server.corsOrigins.isEmpty {
            warnings.append(EdgeWarning(
                feature: "auth.edge.offload", message: "left out: with server.cors_origins the app answers 401 itself, with the CORS headers browser clients need to read it",
                isOmission: false))
        }
        guard offloadsAuth, configuration.auth.edge.cacheSeconds > 0 else { return [] }
        let seconds = configuration.auth.edge.cacheSeconds
        return [NginxDirective(
            "proxy_cache_path", layout.authCacheDirectory, "levels=1", "keys_zone=\(Self.authZone):1m",
            "max_size=16m", "inactive=\(seconds * 2)s", "use_temp_path=off")]
    }

    /// In the MCP locations: ask the app's `/_portico/auth` first; its verdict's principal
    /// and scopes travel on in `X-Portico-Principal` / `X-Portico-Scopes`.
    var authRequest: [NginxDirective] {
        guard offloadsAuth else { return [] }
        var block = [NginxDirective("auth_request", Self.authPath)]
        if configuration.auth.edge.trustEdge {
            block.append(NginxDirective("auth_request_set", "$portico_principal", "$upstream_http_x_portico_principal"))
            block.append(NginxDirective("auth_request_set", "$portico_scopes", "$upstream_http_x_portico_scopes"))
        }
        return block
    }

    /// The subrequest's location: internal, no body, the original method and target for the
    /// app to judge, cached per credential for a few seconds.
    func authLocation(secure: Bool) -> NginxDirective? {
        guard offloadsAuth else { return nil }
        let certificate = secure && edge.mtls.clientCertificate != nil
        var block = [
            NginxDirective("internal"),
            NginxDirective("proxy_pass", "http://\(Self.upstreamName)"),
            NginxDirective("proxy_http_version", "1.1"),
            NginxDirective("proxy_set_header", "Connection", ""),
            NginxDirective("proxy_set_header", "Host", "$http_host"),
            NginxDirective("proxy_pass_request_body", "off"),
            NginxDirective("proxy_set_header", "Content-Length", ""),
            NginxDirective("proxy_set_header", "X-Original-Method", "$request_method"),
            NginxDirective("proxy_set_header", "X-Original-URI", "$request_uri"),
            NginxDirective("proxy_set_header", "X-Request-ID", "$request_id"),
            NginxDirective("proxy_set_header", "X-Portico-Client-Verify", certificate ? "$ssl_client_verify" : ""),
            NginxDirective("proxy_set_header", "X-Portico-Client-Subject", certificate ? "$ssl_client_s_dn" : ""),
            NginxDirective("proxy_set_header", "X-Portico-Principal", ""),
            NginxDirective("proxy_set_header", "X-Portico-Scopes", ""),
        ]
        let seconds = configuration.auth.edge.cacheSeconds
        if seconds > 0 {
            // Everything the verdict depends on is in the key: the credential, the method (a
            // preflight is never refused) and the certificate identity.
            let key = certificate ? "$request_method|$http_authorization|$ssl_client_verify|$ssl_client_s_dn" : "$request_method|$http_authorization"
            block += [
                NginxDirective("proxy_cache", Self.authZone),
                NginxDirective("proxy_cache_methods", "GET", "HEAD", "POST"),
                NginxDirective("proxy_cache_key", key),
                NginxDirective("proxy_cache_valid", "204", "401", "\(seconds)s"),
                // A token in the URL is refused by the app (400) whatever the header says: not cached.
                NginxDirective("proxy_no_cache", "$arg_access_token"),
                NginxDirective("proxy_cache_bypass", "$arg_access_token"),
                NginxDirective("proxy_ignore_headers", "Cache-Control", "Expires", "Set-Cookie"),
            ]
        }
        return NginxDirective("location", ["=", Self.authPath], block: block)
    }

    /// `/_portico/…` from outside: nothing. The exact auth location above is internal, but the
    /// app would answer `/_portico/auth/` too (a trailing slash matches), and it trusts nginx.
    var privatePrefix: NginxDirective {
        NginxDirective("location", ["^~", "/_portico/"], block: [NginxDirective("return", "404")])
    }
}
