import PorticoConfig

extension EdgeRenderer {
    static let upstreamName = "portico_app"
    static let logFormatName = "portico_json"
    static let cacheZone = "portico_micro"
    static let clientZone = "portico_client"
    static let rateLimitedLocation = "@portico_rate_limited"

    /// Everything inside `http {}`: log format, upstream, rate-limit maps and zones, cache, servers.
    func httpContext(revision: String, warnings: inout [EdgeWarning]) throws(EdgeError) -> [NginxDirective] {
        var http: [NginxDirective] = [
            NginxDirective("log_format", Self.logFormatName, "escape=json", Self.jsonLogFormat),
        ]
        if case .prefix = layout {
            http.append(NginxDirective("access_log", accessLogPath, Self.logFormatName))
        }
        var upstreamBlock = [
            NginxDirective("server", upstream),
        ]
        if edge.upstreamKeepalive > 0 {
            // Off by default before 1.29.7, and useless without HTTP/1.1 and an empty Connection header.
            upstreamBlock.append(NginxDirective("keepalive", "\(edge.upstreamKeepalive)"))
            upstreamBlock.append(NginxDirective("keepalive_requests", "10000"))
            if build.version >= .keepaliveTime {
                upstreamBlock.append(NginxDirective("keepalive_time", "1h"))
            }
            upstreamBlock.append(NginxDirective("keepalive_timeout", "60s"))
        }
        http.append(NginxDirective("upstream", [Self.upstreamName], block: upstreamBlock))
        if edge.earlyData && hasCertificate {
            http.append(NginxDirective("map", ["$ssl_early_data:$request_method", "$portico_too_early"], block: [
                NginxDirective("1:POST", "1"),
                NginxDirective("1:DELETE", "1"),
                NginxDirective("default", ""),
            ]))
        }
        if !edge.trustedProxies.isEmpty && !build.hasRealIP {
            warnings.append(EdgeWarning(feature: "edge.trusted_proxies", message: "left out: nginx \(build.version) was built without http_realip_module", isOmission: true))
        }
        http += rateLimitZones
        if !edge.microCache.routes.isEmpty {
            http.append(NginxDirective(
                "proxy_cache_path", layout.cacheDirectory, "levels=1:2", "keys_zone=\(Self.cacheZone):10m",
                "max_size=100m", "inactive=10m", "use_temp_path=off"))
        }
        http += authCacheZone(warnings: &warnings)
        http.append(statusServer(revision: revision, warnings: &warnings))
        http += try publicServers(warnings: &warnings)
        return http
    }

    var accessLogPath: String {
        edge.accessLog ?? (layout.logDirectory + "/portico.access.json")
    }

    /// One JSON object per request, with the upstream timings and the MCP routing headers
    /// (nginx notes §2.1: every upstream field quoted, since a missing one logs `-`).
    static let jsonLogFormat = """
        {"time":"$time_iso8601","request_id":"$request_id","remote_addr":"$remote_addr",\
        "method":"$request_method","uri":"$request_uri","protocol":"$server_protocol","status":$status,\
        "bytes_sent":$bytes_sent,"request_time":$request_time,"upstream_addr":"$upstream_addr",\
        "upstream_status":"$upstream_status","upstream_connect_time":"$upstream_connect_time",\
        "upstream_header_time":"$upstream_header_time","upstream_response_time":"$upstream_response_time",\
        "cache":"$upstream_cache_status","limit_req":"$limit_req_status","mcp_method":"$http_mcp_method",\
        "mcp_name":"$http_mcp_name","mcp_session":"$http_mcp_session_id","ssl_protocol":"$ssl_protocol",\
        "client_verify":"$ssl_client_verify"}
        """

    /// The loopback-only listener: `stub_status`, the revision marker and the probe route.
    func statusServer(revision: String, warnings: inout [EdgeWarning]) -> NginxDirective {
        var block: [NginxDirective] = [
            NginxDirective("listen", "127.0.0.1:\(edge.statusPort)"),
            NginxDirective("server_name", "localhost"),
            NginxDirective("access_log", "off"),
            NginxDirective("allow", "127.0.0.1"),
            NginxDirective("deny", "all"),
        ]
        if build.hasStubStatus {
            block.append(NginxDirective("location", ["=", "/nginx_status"], block: [NginxDirective("stub_status")]))
        } else {
            warnings.append(EdgeWarning(
                feature: "stub_status", message: "this nginx \(build.version) was built without http_stub_status_module; connection figures are unavailable",
                isOmission: true))
        }
        block.append(NginxDirective("location", ["=", "/_portico/edge-revision"], block: [
            NginxDirective("default_type", "text/plain"),
            NginxDirective("return", "200", revision),
        ]))
        block.append(NginxDirective("location", ["=", "/_portico/probe"], block: [
            NginxDirective("proxy_pass", "http://\(Self.upstreamName)\(configuration.server.path)"),
            NginxDirective("proxy_http_version", "1.1"),
            NginxDirective("proxy_set_header", "Connection", ""),
            NginxDirective("proxy_set_header", "Host", "$http_host"),
            NginxDirective("proxy_set_header", "X-Portico-Principal", ""),
            NginxDirective("proxy_set_header", "X-Portico-Scopes", ""),
            NginxDirective("proxy_set_header", "X-Portico-Client-Verify", ""),
            NginxDirective("proxy_set_header", "X-Portico-Client-Subject", ""),
            NginxDirective("proxy_buffering", "off"),
            NginxDirective("proxy_read_timeout", "10s"),
        ]))
        return NginxDirective("server", block: block)
    }
}
