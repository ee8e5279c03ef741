extension PorticoConfiguration.Edge {
    /// A parsed `limit_req` rate such as `20r/s`.
    public struct Rate: Sendable, Equatable {
        public var count: Int
        public var perMinute: Bool

        /// `"20r/s"` or `"600r/m"` with a count of at least 1; `nil` otherwise.
        public init?(_ text: String) {
            let perSecond = text.hasSuffix("r/s")
            guard perSecond || text.hasSuffix("r/m"), let count = Int(text.dropLast(3)), count >= 1 else { return nil }
            self.count = count
            self.perMinute = !perSecond
        }

        /// The nginx spelling.
        public var nginxValue: String { "\(count)r/\(perMinute ? "m" : "s")" }
    }

    /// Seconds of silence the MCP locations must tolerate: the longest call plus one keep-alive
    /// interval (a JSON reply sends nothing until it is done; an SSE stream at least every interval).
    public func minimumProxyTimeoutSeconds(in configuration: PorticoConfiguration) -> Int {
        let keepalive = Int(configuration.streams.keepaliveSeconds.rounded(.up))
        return max(configuration.limits.callTimeoutSeconds + keepalive, 2 * keepalive)
    }

    func validationIssues(at prefix: String, in configuration: PorticoConfiguration) -> [ConfigIssue] {
        func path(_ key: CodingKeys) -> String { ConfigKeyPath.child(prefix, key.rawValue) }
        var issues: [ConfigIssue] = []
        func check(_ failed: Bool, _ keyPath: String, _ message: @autoclosure () -> String) {
            if failed { issues.append(ConfigIssue(keyPath: keyPath, message: message())) }
        }

        check(nginx.isEmpty, path(.nginx), "must name the nginx binary")
        check(!target.hasPrefix("/") || target.hasSuffix("/"), path(.target), "must be an absolute file path, got '\(target)'")
        check(serverNames.isEmpty, path(.serverNames), "must list at least one name (e.g. [mcp.example.com])")
        for (index, name) in serverNames.enumerated() {
            check(!Self.isNginxWord(name), ConfigKeyPath.element(path(.serverNames), index), "'\(name)' is not a server name")
        }
        if let address, let problem = NetworkSyntax.listenHostProblem(address) {
            issues.append(ConfigIssue(keyPath: path(.address), message: problem))
        }
        check(!(1...65_535).contains(httpsPort), path(.httpsPort), "must be between 1 and 65535, got \(httpsPort)")
        check(!(0...65_535).contains(httpPort), path(.httpPort), "must be between 0 (none) and 65535, got \(httpPort)")
        check(!(1...65_535).contains(statusPort), path(.statusPort), "must be between 1 and 65535, got \(statusPort)")
        check(httpPort == httpsPort, path(.httpPort), "must differ from https_port (\(httpsPort))")
        check(statusPort == httpsPort || statusPort == httpPort, path(.statusPort), "must differ from https_port and http_port")
        check(quicRetry && !http3, path(.quicRetry), "needs http3: true")
        check(upstreamKeepalive < 0, path(.upstreamKeepalive), "must be 0 (off) or more, got \(upstreamKeepalive)")
        let minimum = minimumProxyTimeoutSeconds(in: configuration)
        check(
            proxyTimeoutSeconds < minimum, path(.proxyTimeoutSeconds),
            "is \(proxyTimeoutSeconds) s, shorter than the longest call (limits.call_timeout_seconds = \(configuration.limits.callTimeoutSeconds)) plus one keep-alive interval (streams.keepalive_seconds = \(configuration.streams.keepaliveSeconds)): nginx would cut replies and quiet streams; use at least \(minimum)")
        for (index, proxy) in trustedProxies.enumerated() {
            check(!Self.isAddressOrCIDR(proxy), ConfigKeyPath.element(path(.trustedProxies), index), "'\(proxy)' is not an IP address or CIDR block")
        }
        if let connections = workerConnections {
            check(connections < 64, path(.workerConnections), "must be at least 64, got \(connections)")
        }
        check(workerShutdownTimeoutSeconds < 0, path(.workerShutdownTimeoutSeconds), "must be 0 or more, got \(workerShutdownTimeoutSeconds)")
        check(!acmeWebroot.hasPrefix("/"), path(.acmeWebroot), "must be an absolute directory path, got '\(acmeWebroot)'")
        if let accessLog {
            check(accessLog.isEmpty || !Self.isNginxWord(accessLog), path(.accessLog), "'\(accessLog)' is not a usable file path")
        }
        issues += tls.validationIssues(at: path(.tls))
        issues += mtls.validationIssues(at: path(.mtls), tls: tls)
        if resolver == nil && (tls.ocspStapling || (mtls.ocsp && mtls.clientCertificate != nil)) {
            issues.append(ConfigIssue(keyPath: path(.resolver), message: "OCSP (tls.ocsp_stapling or mtls.ocsp) needs a DNS resolver address for nginx, e.g. 127.0.0.53"))
        }
        if let resolver, !Self.isNginxWord(resolver) {
            issues.append(ConfigIssue(keyPath: path(.resolver), message: "'\(resolver)' is not a resolver address"))
        }
        issues += rateLimits.validationIssues(at: path(.rateLimits))
        issues += microCache.validationIssues(at: path(.microCache), in: configuration)
        return issues
    }

    /// Whether `text` can be written as a bare nginx argument (no whitespace, quotes, braces or `;`).
    static func isNginxWord(_ text: String) -> Bool {
        !text.isEmpty && !text.contains { $0.isWhitespace || "\"'{};#\\".contains($0) }
    }

    static func isAddressOrCIDR(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = parts.first, !address.isEmpty else { return false }
        let isV6 = address.contains(":")
        if parts.count == 2 {
            guard let bits = Int(parts[1]), (0...(isV6 ? 128 : 32)).contains(bits) else { return false }
        }
        if isV6 { return address.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } }
        let octets = address.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { Int($0).map { (0...255).contains($0) } ?? false }
    }
}

extension PorticoConfiguration.Edge.TLS {
    func validationIssues(at prefix: String) -> [ConfigIssue] {
        func path(_ key: CodingKeys) -> String { ConfigKeyPath.child(prefix, key.rawValue) }
        var issues: [ConfigIssue] = []
        if (certificate == nil) != (certificateKey == nil) {
            issues.append(ConfigIssue(keyPath: path(certificate == nil ? .certificate : .certificateKey), message: "certificate and certificate_key go together; set both or neither"))
        }
        for (key, value) in [(CodingKeys.certificate, certificate), (.certificateKey, certificateKey), (.trustedCertificate, trustedCertificate)] {
            if let value, !PorticoConfiguration.Edge.isNginxWord(value) {
                issues.append(ConfigIssue(keyPath: path(key), message: "'\(value)' is not a usable file path"))
            }
        }
        if protocols.isEmpty {
            issues.append(ConfigIssue(keyPath: path(.protocols), message: "must list TLSv1.3 and/or TLSv1.2"))
        }
        for (index, name) in protocols.enumerated() where name != "TLSv1.3" && name != "TLSv1.2" {
            issues.append(ConfigIssue(keyPath: ConfigKeyPath.element(path(.protocols), index), message: "'\(name)' is not offered; use TLSv1.3 and optionally TLSv1.2"))
        }
        if hstsSeconds < 0 {
            issues.append(ConfigIssue(keyPath: path(.hstsSeconds), message: "must be 0 (off) or more, got \(hstsSeconds)"))
        }
        return issues
    }
}

extension PorticoConfiguration.Edge.MutualTLS {
    func validationIssues(at prefix: String, tls: PorticoConfiguration.Edge.TLS) -> [ConfigIssue] {
        func path(_ key: CodingKeys) -> String { ConfigKeyPath.child(prefix, key.rawValue) }
        var issues: [ConfigIssue] = []
        if !(1...10).contains(depth) {
            issues.append(ConfigIssue(keyPath: path(.depth), message: "must be between 1 and 10, got \(depth)"))
        }
        if let clientCertificate, !PorticoConfiguration.Edge.isNginxWord(clientCertificate) {
            issues.append(ConfigIssue(keyPath: path(.clientCertificate), message: "'\(clientCertificate)' is not a usable file path"))
        }
        return issues
    }
}

extension PorticoConfiguration.Edge.RateLimits {
    func validationIssues(at prefix: String) -> [ConfigIssue] {
        func path(_ key: CodingKeys) -> String { ConfigKeyPath.child(prefix, key.rawValue) }
        var issues: [ConfigIssue] = []
        if let perClient, PorticoConfiguration.Edge.Rate(perClient) == nil {
            issues.append(ConfigIssue(keyPath: path(.perClient), message: Self.rateProblem(perClient)))
        }
        if perClientBurst < 0 {
            issues.append(ConfigIssue(keyPath: path(.perClientBurst), message: "must be 0 or more, got \(perClientBurst)"))
        }
        var seen: Set<String> = []
        for (index, limit) in tools.enumerated() {
            let element = ConfigKeyPath.element(path(.tools), index)
            if limit.tool.isEmpty || limit.tool.contains(where: { $0 == "\"" || $0 == "\\" || $0.isNewline }) {
                issues.append(ConfigIssue(keyPath: ConfigKeyPath.child(element, "tool"), message: "must name a tool"))
            } else if !seen.insert(limit.tool).inserted {
                issues.append(ConfigIssue(keyPath: ConfigKeyPath.child(element, "tool"), message: "'\(limit.tool)' has more than one limit"))
            }
            if PorticoConfiguration.Edge.Rate(limit.rate) == nil {
                issues.append(ConfigIssue(keyPath: ConfigKeyPath.child(element, "rate"), message: Self.rateProblem(limit.rate)))
            }
            if limit.burst < 0 {
                issues.append(ConfigIssue(keyPath: ConfigKeyPath.child(element, "burst"), message: "must be 0 or more, got \(limit.burst)"))
            }
        }
        return issues
    }

    static func rateProblem(_ text: String) -> String {
        if text.isEmpty { return "is required: requests per second or minute, e.g. 10r/s or 30r/m" }
        return "'\(text)' is not a rate; write requests per second or minute, at least 1, e.g. 10r/s or 30r/m"
    }
}

extension PorticoConfiguration.Edge.MicroCache {
    func validationIssues(at prefix: String, in configuration: PorticoConfiguration) -> [ConfigIssue] {
        func path(_ key: CodingKeys) -> String { ConfigKeyPath.child(prefix, key.rawValue) }
        var issues: [ConfigIssue] = []
        let endpoint = configuration.server.path
        let never = [endpoint, "/sse", "/messages"]
        for (index, route) in routes.enumerated() {
            let element = ConfigKeyPath.element(path(.routes), index)
            if !route.hasPrefix("/") || !PorticoConfiguration.Edge.isNginxWord(route) || route.contains("?") {
                issues.append(ConfigIssue(keyPath: element, message: "'\(route)' must be an exact path starting with '/'"))
            } else if never.contains(route) || route.hasPrefix(endpoint + "/") {
                issues.append(ConfigIssue(keyPath: element, message: "'\(route)' is an MCP endpoint; MCP replies are never cached"))
            }
        }
        if validSeconds < 1 {
            issues.append(ConfigIssue(keyPath: path(.validSeconds), message: "must be at least 1, got \(validSeconds)"))
        }
        return issues
    }
}
