extension PorticoConfiguration {
    /// The `server:` section: where the MCP endpoint listens and which browsers and hosts may reach it.
    public struct Server: Codable, Sendable, Equatable {
        /// Interface to bind; loopback by default so a fresh install is not reachable from the network.
        public var host: String
        /// TCP port to bind, `0` asks the OS for a free port (useful in tests).
        public var port: Int
        /// URL path of the MCP endpoint; always starts with `/` and has no trailing slash, so routes match exactly.
        public var path: String
        /// Absolute `http(s)` URL clients use to reach the endpoint when it sits behind a proxy; `nil` when unset.
        public var publicURL: String?
        /// Browser origins (`scheme://host[:port]` or `*`) allowed to call the endpoint; empty allows only
        /// same-host and loopback origins, which blocks DNS-rebinding attacks by default.
        public var allowedOrigins: [String]
        /// `Host` header values (`host`, `host:port` or `*`) accepted; empty accepts loopback names only when
        /// bound to loopback.
        public var allowedHosts: [String]
        /// Browser origins (`scheme://host[:port]` or `*`) that get CORS headers, so web clients
        /// there can send `Authorization` and read `Mcp-Session-Id`; they pass the Origin check too.
        public var corsOrigins: [String]
        /// Seconds to let in-flight requests finish on shutdown before connections are closed.
        public var drainTimeoutSeconds: Int

        /// Creates a server section; every argument defaults to the value used when the key is omitted.
        public init(
            host: String = "127.0.0.1",
            port: Int = 8080,
            path: String = "/mcp",
            publicURL: String? = nil,
            allowedOrigins: [String] = [],
            allowedHosts: [String] = [],
            corsOrigins: [String] = [],
            drainTimeoutSeconds: Int = 10
        ) {
            self.host = host
            self.port = port
            self.path = path
            self.publicURL = publicURL
            self.allowedOrigins = allowedOrigins
            self.allowedHosts = allowedHosts
            self.corsOrigins = corsOrigins
            self.drainTimeoutSeconds = drainTimeoutSeconds
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case host
            case port
            case path
            case publicURL = "public_url"
            case allowedOrigins = "allowed_origins"
            case allowedHosts = "allowed_hosts"
            case corsOrigins = "cors_origins"
            case drainTimeoutSeconds = "drain_timeout_seconds"
        }

        /// Decodes the section, filling every absent or null key with its default.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Server()
            host = try container.decodeValue(forKey: .host, default: defaults.host, in: decoder)
            port = try container.decodeValue(forKey: .port, default: defaults.port, in: decoder)
            path = try container.decodeValue(forKey: .path, default: defaults.path, in: decoder)
            publicURL = try container.decodeValue(forKey: .publicURL, default: defaults.publicURL, in: decoder)
            allowedOrigins = try container.decodeValue(
                forKey: .allowedOrigins, default: defaults.allowedOrigins, in: decoder
            )
            allowedHosts = try container.decodeValue(
                forKey: .allowedHosts, default: defaults.allowedHosts, in: decoder
            )
            corsOrigins = try container.decodeValue(forKey: .corsOrigins, default: defaults.corsOrigins, in: decoder)
            drainTimeoutSeconds = try container.decodeValue(
                forKey: .drainTimeoutSeconds, default: defaults.drainTimeoutSeconds, in: decoder
            )
        }
    }
}

extension PorticoConfiguration.Server {
    /// The `host[:port]` of `public_url`, the Host header clients send through a proxy; `nil`
    /// without a public URL.
    public var publicAuthority: String? {
        guard let url = publicURL, let schemeEnd = url.firstRange(of: "://") else { return nil }
        let authority = String(url[schemeEnd.upperBound...].prefix { $0 != "/" })
        return authority.isEmpty ? nil : authority
    }
}
