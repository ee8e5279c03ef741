extension PorticoConfiguration {
    /// The `metrics:` section: the Prometheus listener.
    ///
    /// It is a listener of its own, on loopback by default, so figures about tools, principals'
    /// failures and nginx never share a port with the public endpoint.
    public struct Metrics: Codable, Sendable, Equatable {
        /// Whether `/metrics` is served and figures are kept at all.
        public var enabled: Bool
        /// Address of the metrics listener.
        public var host: String
        /// Port of the metrics listener; 0 picks a free one.
        public var port: Int
        /// nginx's `stub_status` page, read at each scrape (`http://127.0.0.1:<port>/<path>`);
        /// `portico up` sets it to its own status listener.
        public var nginxStatusURL: String?

        /// Creates a metrics section; every argument defaults to the value used when the key is omitted.
        public init(enabled: Bool = true, host: String = "127.0.0.1", port: Int = 9464, nginxStatusURL: String? = nil) {
            self.enabled = enabled
            self.host = host
            self.port = port
            self.nginxStatusURL = nginxStatusURL
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case enabled
            case host
            case port
            case nginxStatusURL = "nginx_status_url"
        }

        /// Decodes the section, filling every absent or null key with its default.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Metrics()
            enabled = try container.decodeValue(forKey: .enabled, default: defaults.enabled, in: decoder)
            host = try container.decodeValue(forKey: .host, default: defaults.host, in: decoder)
            port = try container.decodeValue(forKey: .port, default: defaults.port, in: decoder)
            nginxStatusURL = try container.decodeValue(forKey: .nginxStatusURL, default: defaults.nginxStatusURL, in: decoder)
        }

        /// The loopback port and path of ``nginxStatusURL``; `nil` when it is unset or not a
        /// plain-HTTP loopback URL (``validationIssues(at:server:)`` reports those).
        public var nginxStatusEndpoint: (port: Int, path: String)? {
            guard let url = nginxStatusURL else { return nil }
            for prefix in ["http://127.0.0.1:", "http://localhost:"] where url.hasPrefix(prefix) {
                let rest = url.dropFirst(prefix.count)
                let portText = rest.prefix { $0.isNumber }
                let path = rest.dropFirst(portText.count)
                guard let port = Int(portText), (1...65_535).contains(port), path.isEmpty || path.hasPrefix("/") else { return nil }
                return (port, path.isEmpty ? "/" : String(path))
            }
            return nil
        }
    }
}

extension PorticoConfiguration.Metrics {
    func validationIssues(at prefix: String, server: PorticoConfiguration.Server) -> [ConfigIssue] {
        func path(_ key: CodingKeys) -> String { ConfigKeyPath.child(prefix, key.rawValue) }
        var issues: [ConfigIssue] = []
        guard enabled else { return issues }
        if let problem = NetworkSyntax.listenHostProblem(host) {
            issues.append(ConfigIssue(keyPath: path(.host), message: problem))
        }
        if !(0...65_535).contains(port) {
            issues.append(ConfigIssue(keyPath: path(.port), message: "must be between 0 and 65535, got \(port)"))
        } else if port != 0, port == server.port, host == server.host {
            issues.append(ConfigIssue(keyPath: path(.port), message: "must differ from server.port (\(server.port)): metrics get a listener of their own"))
        }
        if nginxStatusURL != nil, nginxStatusEndpoint == nil {
            issues.append(ConfigIssue(
                keyPath: path(.nginxStatusURL),
                message: "must be a plain-HTTP loopback URL such as http://127.0.0.1:8081/nginx_status, got '\(nginxStatusURL ?? "")'"))
        }
        return issues
    }
}

extension PorticoConfiguration.Metrics: ConfigValue {
    static var expectation: String { "a mapping of metrics settings" }
    static var pluralExpectation: String { "mappings" }
}
