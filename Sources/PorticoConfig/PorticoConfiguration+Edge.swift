extension PorticoConfiguration {
    /// The `edge:` section: the nginx in front of the app, rendered by `portico edge` and `portico up`.
    ///
    /// Every key has the safe default measured in `docs/EDGE.md`: buffering off on the MCP
    /// locations, long proxy timeouts, upstream keep-alive, TLS 1.3 only, no OCSP stapling
    /// unless asked for (Let's Encrypt certificates carry no OCSP URL since 2025).
    public struct Edge: Codable, Sendable, Equatable {
        /// The nginx binary (a name on `PATH` or an absolute path).
        public var nginx: String
        /// The file `portico edge apply` writes when no `--prefix` is given: an include inside
        /// the system nginx's `http {}` block.
        public var target: String
        /// `server_name` values of the public servers.
        public var serverNames: [String]
        /// Address the public listeners bind; `null` binds every interface.
        public var address: String?
        /// HTTPS port (TLS, HTTP/2, optional HTTP/3).
        public var httpsPort: Int
        /// Plain-HTTP port for ACME challenges and redirects; 0 renders no plain listener.
        public var httpPort: Int
        /// Whether the MCP endpoint also answers on the plain-HTTP port. Off by default: tokens
        /// would travel in clear, and a redirect would turn POST into GET, so the endpoint refuses.
        public var mcpOverHTTP: Bool
        /// HTTP/2 on the HTTPS listener (`listen … http2` before nginx 1.25.1, `http2 on` after).
        public var http2: Bool
        /// HTTP/3 over QUIC; rendered only when the nginx build has `ngx_http_v3_module` (≥ 1.25.0).
        public var http3: Bool
        /// QUIC address validation (`quic_retry on`), with HTTP/3.
        public var quicRetry: Bool
        /// TLS 1.3 0-RTT (`ssl_early_data`); the app gets `Early-Data: 1` on replayable requests.
        public var earlyData: Bool
        public var tls: TLS
        public var mtls: MutualTLS
        /// DNS resolver nginx uses for OCSP (stapling and client checks), e.g. `127.0.0.53`.
        public var resolver: String?
        /// Idle keep-alive connections nginx holds to the app.
        public var upstreamKeepalive: Int
        /// `proxy_read_timeout`/`proxy_send_timeout` on the MCP locations: the longest silence
        /// nginx tolerates on a stream, and the longest wait for a JSON reply.
        public var proxyTimeoutSeconds: Int
        /// Front proxies (addresses or CIDRs) whose `X-Forwarded-For` is trusted (`realip`).
        public var trustedProxies: [String]
        public var rateLimits: RateLimits
        public var microCache: MicroCache
        /// Loopback port of the status listener (`stub_status`, the revision marker, the probe).
        public var statusPort: Int
        /// JSON access log path; `null` picks `logs/portico.access.json` in a prefix, or
        /// `/var/log/nginx/portico.access.json` for the system nginx.
        public var accessLog: String?
        /// Connections per worker; `null` sizes it for `streams.max_listeners` plus legacy sessions.
        public var workerConnections: Int?
        /// How long old workers may keep streams open after a reload or stop.
        public var workerShutdownTimeoutSeconds: Int
        /// Where `/.well-known/acme-challenge/` files live (`certbot certonly --webroot -w`).
        public var acmeWebroot: String

        public init(
            nginx: String = "nginx", target: String = "/etc/nginx/conf.d/portico.conf",
            serverNames: [String] = ["localhost"], address: String? = nil,
            httpsPort: Int = 443, httpPort: Int = 80, mcpOverHTTP: Bool = false,
            http2: Bool = true, http3: Bool = false, quicRetry: Bool = false, earlyData: Bool = false,
            tls: TLS = TLS(), mtls: MutualTLS = MutualTLS(), resolver: String? = nil,
            upstreamKeepalive: Int = 32, proxyTimeoutSeconds: Int = 3_600, trustedProxies: [String] = [],
            rateLimits: RateLimits = RateLimits(), microCache: MicroCache = MicroCache(),
            statusPort: Int = 8081, accessLog: String? = nil, workerConnections: Int? = nil,
            workerShutdownTimeoutSeconds: Int = 300, acmeWebroot: String = "/var/lib/portico/acme"
        ) {
            self.nginx = nginx
            self.target = target
            self.serverNames = serverNames
            self.address = address
            self.httpsPort = httpsPort
            self.httpPort = httpPort
            self.mcpOverHTTP = mcpOverHTTP
            self.http2 = http2
            self.http3 = http3
            self.quicRetry = quicRetry
            self.earlyData = earlyData
            self.tls = tls
            self.mtls = mtls
            self.resolver = resolver
            self.upstreamKeepalive = upstreamKeepalive
            self.proxyTimeoutSeconds = proxyTimeoutSeconds
            self.trustedProxies = trustedProxies
            self.rateLimits = rateLimits
            self.microCache = microCache
            self.statusPort = statusPort
            self.accessLog = accessLog
            self.workerConnections = workerConnections
            self.workerShutdownTimeoutSeconds = workerShutdownTimeoutSeconds
            self.acmeWebroot = acmeWebroot
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case nginx, target
            case serverNames = "server_names"
            case address
            case httpsPort = "https_port"
            case httpPort = "http_port"
            case mcpOverHTTP = "mcp_over_http"
            case http2, http3
            case quicRetry = "quic_retry"
            case earlyData = "early_data"
            case tls, mtls, resolver
            case upstreamKeepalive = "upstream_keepalive"
            case proxyTimeoutSeconds = "proxy_timeout_seconds"
            case trustedProxies = "trusted_proxies"
            case rateLimits = "rate_limits"
            case microCache = "micro_cache"
            case statusPort = "status_port"
            case accessLog = "access_log"
            case workerConnections = "worker_connections"
            case workerShutdownTimeoutSeconds = "worker_shutdown_timeout_seconds"
            case acmeWebroot = "acme_webroot"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Edge()
            nginx = try c.decodeValue(forKey: .nginx, default: d.nginx, in: decoder)
            target = try c.decodeValue(forKey: .target, default: d.target, in: decoder)
            serverNames = try c.decodeValue(forKey: .serverNames, default: d.serverNames, in: decoder)
            address = try c.decodeValue(forKey: .address, default: d.address, in: decoder)
            httpsPort = try c.decodeValue(forKey: .httpsPort, default: d.httpsPort, in: decoder)
            httpPort = try c.decodeValue(forKey: .httpPort, default: d.httpPort, in: decoder)
            mcpOverHTTP = try c.decodeValue(forKey: .mcpOverHTTP, default: d.mcpOverHTTP, in: decoder)
            http2 = try c.decodeValue(forKey: .http2, default: d.http2, in: decoder)
            http3 = try c.decodeValue(forKey: .http3, default: d.http3, in: decoder)
            quicRetry = try c.decodeValue(forKey: .quicRetry, default: d.quicRetry, in: decoder)
            earlyData = try c.decodeValue(forKey: .earlyData, default: d.earlyData, in: decoder)
            tls = try c.decodeValue(forKey: .tls, default: d.tls, in: decoder)
            mtls = try c.decodeValue(forKey: .mtls, default: d.mtls, in: decoder)
            resolver = try c.decodeValue(forKey: .resolver, default: d.resolver, in: decoder)
            upstreamKeepalive = try c.decodeValue(forKey: .upstreamKeepalive, default: d.upstreamKeepalive, in: decoder)
            proxyTimeoutSeconds = try c.decodeValue(forKey: .proxyTimeoutSeconds, default: d.proxyTimeoutSeconds, in: decoder)
            trustedProxies = try c.decodeValue(forKey: .trustedProxies, default: d.trustedProxies, in: decoder)
            rateLimits = try c.decodeValue(forKey: .rateLimits, default: d.rateLimits, in: decoder)
            microCache = try c.decodeValue(forKey: .microCache, default: d.microCache, in: decoder)
            statusPort = try c.decodeValue(forKey: .statusPort, default: d.statusPort, in: decoder)
            accessLog = try c.decodeValue(forKey: .accessLog, default: d.accessLog, in: decoder)
            workerConnections = try c.decodeValue(forKey: .workerConnections, default: d.workerConnections, in: decoder)
            workerShutdownTimeoutSeconds = try c.decodeValue(
                forKey: .workerShutdownTimeoutSeconds, default: d.workerShutdownTimeoutSeconds, in: decoder)
            acmeWebroot = try c.decodeValue(forKey: .acmeWebroot, default: d.acmeWebroot, in: decoder)
        }
    }
}

extension PorticoConfiguration.Edge {
    /// `edge.tls`: the certificate and the protocol policy of the HTTPS listener.
    public struct TLS: Codable, Sendable, Equatable {
        /// PEM certificate chain; `null` means `portico up` makes a development certificate, and
        /// `portico edge` renders plain HTTP only (with a warning).
        public var certificate: String?
        public var certificateKey: String?
        /// `TLSv1.3` alone by default; add `TLSv1.2` for old clients.
        public var protocols: [String]
        /// `Strict-Transport-Security` max-age; 0 sends none.
        public var hstsSeconds: Int
        /// OCSP stapling; warns when the certificate names no OCSP responder.
        public var ocspStapling: Bool
        /// CA bundle for stapling verification.
        public var trustedCertificate: String?

        public init(
            certificate: String? = nil, certificateKey: String? = nil, protocols: [String] = ["TLSv1.3"],
            hstsSeconds: Int = 31_536_000, ocspStapling: Bool = false, trustedCertificate: String? = nil
        ) {
            self.certificate = certificate
            self.certificateKey = certificateKey
            self.protocols = protocols
            self.hstsSeconds = hstsSeconds
            self.ocspStapling = ocspStapling
            self.trustedCertificate = trustedCertificate
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case certificate
            case certificateKey = "certificate_key"
            case protocols
            case hstsSeconds = "hsts_seconds"
            case ocspStapling = "ocsp_stapling"
            case trustedCertificate = "trusted_certificate"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = TLS()
            certificate = try c.decodeValue(forKey: .certificate, default: d.certificate, in: decoder)
            certificateKey = try c.decodeValue(forKey: .certificateKey, default: d.certificateKey, in: decoder)
            protocols = try c.decodeValue(forKey: .protocols, default: d.protocols, in: decoder)
            hstsSeconds = try c.decodeValue(forKey: .hstsSeconds, default: d.hstsSeconds, in: decoder)
            ocspStapling = try c.decodeValue(forKey: .ocspStapling, default: d.ocspStapling, in: decoder)
            trustedCertificate = try c.decodeValue(forKey: .trustedCertificate, default: d.trustedCertificate, in: decoder)
        }
    }

    /// `edge.mtls`: client certificates verified by nginx; the subject reaches the app in headers.
    public struct MutualTLS: Codable, Sendable, Equatable {
        /// CA bundle that signs client certificates; `null` turns mTLS off.
        public var clientCertificate: String?
        public var verify: Verification
        /// `ssl_verify_depth` (nginx defaults to 1, too short for intermediates).
        public var depth: Int
        /// Check client certificates with OCSP (`ssl_ocsp on`, needs `edge.resolver`).
        public var ocsp: Bool

        public enum Verification: String, Codable, Sendable, Equatable, CaseIterable {
            /// Every client must present a valid certificate.
            case on
            /// A certificate is checked when presented; the app decides what anonymous clients may do.
            case optional
        }

        public init(clientCertificate: String? = nil, verify: Verification = .on, depth: Int = 2, ocsp: Bool = false) {
            self.clientCertificate = clientCertificate
            self.verify = verify
            self.depth = depth
            self.ocsp = ocsp
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case clientCertificate = "client_certificate"
            case verify, depth, ocsp
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = MutualTLS()
            clientCertificate = try c.decodeValue(forKey: .clientCertificate, default: d.clientCertificate, in: decoder)
            verify = try c.decodeValue(forKey: .verify, default: d.verify, in: decoder)
            depth = try c.decodeValue(forKey: .depth, default: d.depth, in: decoder)
            ocsp = try c.decodeValue(forKey: .ocsp, default: d.ocsp, in: decoder)
        }
    }

    /// `edge.rate_limits`: per client address, and per tool keyed on the 2026 `Mcp-Name` header.
    /// GET streams and `subscriptions/listen` are never limited.
    public struct RateLimits: Codable, Sendable, Equatable {
        /// Requests per client address, `"20r/s"` or `"600r/m"`; `null` or `off` turns it off.
        public var perClient: String?
        public var perClientBurst: Int
        public var tools: [ToolLimit]

        public init(perClient: String? = "50r/s", perClientBurst: Int = 100, tools: [ToolLimit] = []) {
            self.perClient = perClient
            self.perClientBurst = perClientBurst
            self.tools = tools
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case perClient = "per_client"
            case perClientBurst = "per_client_burst"
            case tools
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = RateLimits()
            // `null` and `off` switch the limit off; only an absent key means the default.
            if c.contains(.perClient), (try? c.decodeNil(forKey: .perClient)) == true {
                perClient = nil
            } else {
                let value = try c.decodeValue(forKey: .perClient, default: d.perClient, in: decoder)
                perClient = value == "off" ? nil : value
            }
            perClientBurst = try c.decodeValue(forKey: .perClientBurst, default: d.perClientBurst, in: decoder)
            tools = try c.decodeValue(forKey: .tools, default: d.tools, in: decoder)
        }
    }

    /// One `edge.rate_limits.tools` entry: calls of one tool per client address.
    public struct ToolLimit: Codable, Sendable, Equatable {
        public var tool: String
        public var rate: String
        public var burst: Int

        public init(tool: String, rate: String, burst: Int = 0) {
            self.tool = tool
            self.rate = rate
            self.burst = burst
        }

        enum CodingKeys: String, CodingKey, CaseIterable { case tool, rate, burst }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            tool = try c.decodeValue(forKey: .tool, default: "", in: decoder)
            rate = try c.decodeValue(forKey: .rate, default: "", in: decoder)
            burst = try c.decodeValue(forKey: .burst, default: 0, in: decoder)
        }
    }

    /// `edge.micro_cache`: a one-second cache for read-only GET routes; never the MCP endpoint.
    public struct MicroCache: Codable, Sendable, Equatable {
        /// Exact paths, e.g. `/healthz` or `/.well-known/oauth-protected-resource`.
        public var routes: [String]
        public var validSeconds: Int

        public init(routes: [String] = [], validSeconds: Int = 1) {
            self.routes = routes
            self.validSeconds = validSeconds
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case routes
            case validSeconds = "valid_seconds"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = MicroCache()
            routes = try c.decodeValue(forKey: .routes, default: d.routes, in: decoder)
            validSeconds = try c.decodeValue(forKey: .validSeconds, default: d.validSeconds, in: decoder)
        }
    }
}

extension PorticoConfiguration.Edge.MutualTLS.Verification: ConfigEnum {
    public init(from decoder: any Decoder) throws { self = try Self.decodeWord(from: decoder) }
    static var kindName: String { "verification mode" }
}

extension PorticoConfiguration.Edge: ConfigValue {
    static var expectation: String { "a mapping of edge settings" }
    static var pluralExpectation: String { "mappings" }
}

extension PorticoConfiguration.Edge.TLS: ConfigValue {
    static var expectation: String { "a mapping of TLS settings" }
    static var pluralExpectation: String { "mappings" }
}

extension PorticoConfiguration.Edge.MutualTLS: ConfigValue {
    static var expectation: String { "a mapping of mTLS settings" }
    static var pluralExpectation: String { "mappings" }
}

extension PorticoConfiguration.Edge.RateLimits: ConfigValue {
    static var expectation: String { "a mapping of rate limits" }
    static var pluralExpectation: String { "mappings" }
}

extension PorticoConfiguration.Edge.ToolLimit: ConfigValue {
    static var expectation: String { "a mapping with tool, rate and burst" }
    static var pluralExpectation: String { "mappings with tool, rate and burst" }
}

extension PorticoConfiguration.Edge.MicroCache: ConfigValue {
    static var expectation: String { "a mapping of micro-cache settings" }
    static var pluralExpectation: String { "mappings" }
}
