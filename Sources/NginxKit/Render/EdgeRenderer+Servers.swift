import PorticoConfig

extension EdgeRenderer {
    /// The HTTPS server (when a certificate is known) and the plain-HTTP one.
    func publicServers(warnings: inout [EdgeWarning]) throws(EdgeError) -> [NginxDirective] {
        guard let pair = certificatePair else {
            guard edge.httpPort > 0 else {
                throw EdgeError("edge.tls.certificate is not set and edge.http_port is 0: the edge would have no listener")
            }
            warnings.append(EdgeWarning(
                feature: "edge.tls", message: "no certificate configured (edge.tls.certificate): serving plain HTTP on port \(edge.httpPort); MCP clients such as ChatGPT and Claude require HTTPS",
                isOmission: false))
            return [server(listen: [listen(edge.httpPort)], tls: [], locations: applicationLocations(secure: false))]
        }
        var servers = [server(listen: httpsListeners(warnings: &warnings), tls: tlsDirectives(pair, warnings: &warnings), locations: applicationLocations(secure: true))]
        if edge.httpPort > 0 {
            servers.append(server(listen: [listen(edge.httpPort)], tls: [], locations: redirectLocations))
        }
        return servers
    }

    func listen(_ port: Int, _ parameters: String...) -> NginxDirective {
        let address = edge.address.map { $0.contains(":") ? "[\($0)]:\(port)" : "\($0):\(port)" } ?? "\(port)"
        return NginxDirective("listen", [address] + parameters)
    }

    func server(listen: [NginxDirective], tls: [NginxDirective], locations: [NginxDirective]) -> NginxDirective {
        var block = listen
        block.append(NginxDirective("server_name", edge.serverNames))
        block.append(NginxDirective("server_tokens", "off"))
        block += tls
        if case .systemInclude = layout {
            block.append(NginxDirective("access_log", accessLogPath, Self.logFormatName))
        }
        block += realIP
        block += locations
        return NginxDirective("server", block: block)
    }

    var realIP: [NginxDirective] {
        guard !edge.trustedProxies.isEmpty, build.hasRealIP else { return [] }
        return edge.trustedProxies.map { NginxDirective("set_real_ip_from", $0) } + [
            NginxDirective("real_ip_header", "X-Forwarded-For"),
            NginxDirective("real_ip_recursive", "on"),
        ]
    }

    /// Headers every response of the HTTPS server carries. nginx drops server-level `add_header`
    /// in a location that has its own, so locations with headers repeat these.
    var serverHeaders: [NginxDirective] {
        var headers: [NginxDirective] = []
        if hasCertificate, edge.tls.hstsSeconds > 0 {
            headers.append(NginxDirective("add_header", "Strict-Transport-Security", "max-age=\(edge.tls.hstsSeconds)", "always"))
        }
        if hasCertificate, edge.http3, build.hasHTTP3 {
            headers.append(NginxDirective("add_header", "Alt-Svc", "h3=\":\(edge.httpsPort)\"; ma=86400", "always"))
        }
        return headers
    }

    /// The MCP endpoint(s), ACME, micro-cached routes and everything else, proxied to the app.
    func applicationLocations(secure: Bool) -> [NginxDirective] {
        let path = configuration.server.path
        var locations = serverHeaders + rateLimitDirectives
        let mcp = mcpProxy(secure: secure)
        // The app answers `path/` like `path`: both get the streaming settings.
        locations.append(NginxDirective("location", ["=", path], block: mcp))
        if path != "/" {
            locations.append(NginxDirective("location", [path + "/"], block: mcp))
        }
        if configuration.streams.legacySSE {
            // 2024-11-05 HTTP+SSE: GET /sse is a stream; POST /messages carries the calls.
            for legacy in ["/sse", "/sse/", "/messages", "/messages/"] {
                locations.append(NginxDirective("location", ["=", legacy], block: mcp))
            }
        }
        if let auth = authLocation(secure: secure) { locations.append(auth) }
        locations.append(privatePrefix)
        locations.append(acmeLocation)
        for route in edge.microCache.routes {
            locations.append(NginxDirective("location", ["=", route], block: microCached))
        }
        locations.append(NginxDirective("location", ["/"], block: proxyBasics(secure: secure)))
        if !rateLimitDirectives.isEmpty { locations.append(rateLimitedResponse) }
        return locations
    }

    var acmeLocation: NginxDirective {
        NginxDirective("location", ["^~", "/.well-known/acme-challenge/"], block: [
            NginxDirective("root", edge.acmeWebroot),
            NginxDirective("default_type", "text/plain"),
            NginxDirective("try_files", "$uri", "=404"),
        ])
    }

    /// The plain-HTTP server next to HTTPS: ACME, a refusal on the MCP paths (a redirect would
    /// turn a POST into a GET), a redirect for everything else.
    var redirectLocations: [NginxDirective] {
        let path = configuration.server.path
        if edge.mcpOverHTTP {
            var locations = applicationLocations(secure: false)
            locations.removeAll { $0.name == "add_header" }
            return locations
        }
        let target = edge.httpsPort == 443 ? "https://$host$request_uri" : "https://$host:\(edge.httpsPort)$request_uri"
        let refusal: [NginxDirective] = [
            NginxDirective("default_type", "application/json"),
            NginxDirective("return", "403", #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"This MCP endpoint is served over HTTPS only: use https://$host\#(edge.httpsPort == 443 ? "" : ":\(edge.httpsPort)")$request_uri"}}"#),
        ]
        var locations = [NginxDirective("location", ["=", path], block: refusal)]
        if path != "/" { locations.append(NginxDirective("location", [path + "/"], block: refusal)) }
        if configuration.streams.legacySSE {
            for legacy in ["/sse", "/sse/", "/messages", "/messages/"] {
                locations.append(NginxDirective("location", ["=", legacy], block: refusal))
            }
        }
        locations.append(acmeLocation)
        locations.append(NginxDirective("location", ["/"], block: [NginxDirective("return", "301", target)]))
        return locations
    }

    /// What every proxied location sets: HTTP/1.1 with keep-alive to the app, the client's Host,
    /// the forwarding headers, a request id, and the mTLS identity (always set, so a client
    /// cannot forge it: an empty value removes the header).
    func proxyBasics(secure: Bool, edgeVerdict: Bool = false) -> [NginxDirective] {
        var block = [
            NginxDirective("proxy_pass", "http://\(Self.upstreamName)"),
            NginxDirective("proxy_http_version", "1.1"),
            NginxDirective("proxy_set_header", "Connection", ""),
            NginxDirective("proxy_set_header", "Host", "$http_host"),
            NginxDirective("proxy_set_header", "X-Forwarded-For", "$proxy_add_x_forwarded_for"),
            NginxDirective("proxy_set_header", "X-Forwarded-Proto", "$scheme"),
            NginxDirective("proxy_set_header", "X-Real-IP", "$remote_addr"),
            NginxDirective("proxy_set_header", "X-Request-ID", "$request_id"),
            NginxDirective("proxy_set_header", "X-Portico-Client-Verify", secure && edge.mtls.clientCertificate != nil ? "$ssl_client_verify" : ""),
            NginxDirective("proxy_set_header", "X-Portico-Client-Subject", secure && edge.mtls.clientCertificate != nil ? "$ssl_client_s_dn" : ""),
            // The edge's verdict reaches the app only where auth_request gave one; elsewhere the header is cleared.
            NginxDirective("proxy_set_header", "X-Portico-Principal", edgeVerdict ? "$portico_principal" : ""),
            NginxDirective("proxy_set_header", "X-Portico-Scopes", edgeVerdict ? "$portico_scopes" : ""),
        ]
        if secure, edge.earlyData {
            block.append(NginxDirective("proxy_set_header", "Early-Data", "$ssl_early_data"))
        }
        return block
    }

    /// The MCP endpoint: streamed, never cached or compressed, long timeouts, the app's body limit.
    func mcpProxy(secure: Bool) -> [NginxDirective] {
        let timeout = "\(edge.proxyTimeoutSeconds)s"
        // A replayed 0-RTT POST would run a call twice: 425 Too Early makes the client retry
        // after the handshake (RFC 8470). Only `return` inside `if`, which nginx handles safely.
        let early = secure && edge.earlyData
            ? [NginxDirective("if", ["$portico_too_early"], block: [NginxDirective("return", "425")])] : []
        return early + authRequest + proxyBasics(secure: secure, edgeVerdict: !authRequest.isEmpty && configuration.auth.edge.trustEdge) + [
            NginxDirective("proxy_buffering", "off"),
            NginxDirective("proxy_cache", "off"),
            NginxDirective("gzip", "off"),
            NginxDirective("proxy_read_timeout", timeout),
            NginxDirective("proxy_send_timeout", timeout),
            NginxDirective("client_max_body_size", "\(configuration.limits.maxBodyBytes)"),
        ]
    }

    /// A read-only GET route cached for `valid_seconds`; the lock waits at most 1 s so an
    /// uncacheable reply cannot turn a burst into a queue (nginx notes §3.6).
    var microCached: [NginxDirective] {
        proxyBasics(secure: hasCertificate) + [
            NginxDirective("proxy_cache", Self.cacheZone),
            NginxDirective("proxy_cache_methods", "GET", "HEAD"),
            NginxDirective("proxy_cache_key", "$scheme$host$request_uri"),
            NginxDirective("proxy_cache_valid", "200", "\(edge.microCache.validSeconds)s"),
            NginxDirective("proxy_cache_lock", "on"),
            NginxDirective("proxy_cache_lock_timeout", "1s"),
            NginxDirective("proxy_cache_use_stale", "updating", "error", "timeout"),
            NginxDirective("proxy_cache_bypass", "$http_authorization"),
            NginxDirective("proxy_no_cache", "$http_authorization"),
            NginxDirective("add_header", "X-Cache-Status", "$upstream_cache_status", "always"),
        ] + serverHeaders
    }
}
