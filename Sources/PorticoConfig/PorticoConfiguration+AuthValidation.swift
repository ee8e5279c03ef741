import Foundation

extension PorticoConfiguration.Auth {
    func validationIssues(at prefix: String, server: PorticoConfiguration.Server) -> [ConfigIssue] {
        func path(_ key: CodingKeys) -> String { ConfigKeyPath.child(prefix, key.rawValue) }
        var issues: [ConfigIssue] = []
        func check(_ problem: String?, at keyPath: String) {
            if let problem { issues.append(ConfigIssue(keyPath: keyPath, message: problem)) }
        }

        if let resource {
            check(Self.resourceProblem(resource), at: path(.resource))
        } else if enabled {
            if let publicURL = server.publicURL {
                check(Self.resourceProblem(publicURL).map { "server.public_url is the resource identifier, but \($0)" }, at: path(.resource))
            } else {
                check("auth needs the endpoint's public URL, the audience tokens are issued for: set auth.resource or server.public_url (e.g. https://mcp.example.com/mcp)", at: path(.resource))
            }
        }
        if enabled, issuers.isEmpty, apiKeys.isEmpty, clientCertificates.principals.isEmpty {
            check("auth is enabled but accepts no credential: add issuers, api_keys or client_certificates.principals", at: path(.enabled))
        }
        for (key, scopes) in [(CodingKeys.requiredScopes, requiredScopes), (.scopesSupported, scopesSupported)] {
            for (index, scope) in scopes.enumerated() { check(Self.scopeProblem(scope), at: ConfigKeyPath.element(path(key), index)) }
        }
        if let index = scopesSupported.firstIndex(of: "offline_access") {
            check("offline_access is for the authorization server, not a resource's metadata (MCP 2026-07-28 authorization); remove it", at: ConfigKeyPath.element(path(.scopesSupported), index))
        }
        if !(0...600).contains(leewaySeconds) { check("must be between 0 and 600, got \(leewaySeconds)", at: path(.leewaySeconds)) }
        if cacheSeconds < 0 { check("must be 0 (no cache) or more, got \(cacheSeconds)", at: path(.cacheSeconds)) }
        if jwksRefreshSeconds < 1 { check("must be at least 1, got \(jwksRefreshSeconds)", at: path(.jwksRefreshSeconds)) }

        var issuerNames = Set<String>()
        for (index, issuer) in issuers.enumerated() {
            let at = ConfigKeyPath.element(path(.issuers), index)
            issues += issuer.validationIssues(at: at)
            if !issuer.issuer.isEmpty, !issuerNames.insert(issuer.issuer).inserted {
                check("issuer '\(issuer.issuer)' is listed twice", at: ConfigKeyPath.child(at, "issuer"))
            }
        }
        var keyNames = Set<String>()
        for (index, key) in apiKeys.enumerated() {
            let at = ConfigKeyPath.element(path(.apiKeys), index)
            if key.name.isEmpty {
                check("an API key needs a name (it identifies the caller in logs and sessions)", at: ConfigKeyPath.child(at, "name"))
            } else if !keyNames.insert(key.name).inserted {
                check("API key name '\(key.name)' is used twice", at: ConfigKeyPath.child(at, "name"))
            }
            check(Self.keyHashProblem(key.hash), at: ConfigKeyPath.child(at, "hash"))
            for (scopeIndex, scope) in key.scopes.enumerated() {
                check(Self.scopeProblem(scope), at: ConfigKeyPath.element(ConfigKeyPath.child(at, "scopes"), scopeIndex))
            }
        }
        for (index, rule) in rules.enumerated() {
            let at = ConfigKeyPath.element(path(.rules), index)
            let targets = [rule.tool, rule.prompt, rule.resourcePrefix].compactMap { $0 }
            if targets.count != 1 {
                check("a rule names exactly one of tool, prompt or resource_prefix (found \(targets.count))", at: at)
            }
            if rule.scopes.isEmpty { check("a rule needs at least one scope", at: ConfigKeyPath.child(at, "scopes")) }
            for (scopeIndex, scope) in rule.scopes.enumerated() {
                check(Self.scopeProblem(scope), at: ConfigKeyPath.element(ConfigKeyPath.child(at, "scopes"), scopeIndex))
            }
        }
        let certificates = ConfigKeyPath.child(prefix, CodingKeys.clientCertificates.rawValue)
        for (index, address) in clientCertificates.trustedProxies.enumerated() where !Self.isIPAddress(address) {
            check("'\(address)' is not an IP address; trusted_proxies lists the addresses nginx connects from, such as 127.0.0.1",
                  at: ConfigKeyPath.element(ConfigKeyPath.child(certificates, "trusted_proxies"), index))
        }
        for (index, principal) in clientCertificates.principals.enumerated() where principal.subject.isEmpty {
            check("a certificate principal needs the subject as nginx writes it, e.g. 'CN=build-bot,O=Example'",
                  at: ConfigKeyPath.child(ConfigKeyPath.element(ConfigKeyPath.child(certificates, "principals"), index), "subject"))
        }
        if edge.trustEdge, !edge.offload {
            check("trust_edge takes the edge's verdict, which only auth_request gives: set offload: true too",
                  at: ConfigKeyPath.child(ConfigKeyPath.child(prefix, CodingKeys.edge.rawValue), "trust_edge"))
        }
        if !(0...3_600).contains(edge.cacheSeconds) {
            check("must be between 0 and 3600, got \(edge.cacheSeconds)", at: ConfigKeyPath.child(ConfigKeyPath.child(prefix, CodingKeys.edge.rawValue), "cache_seconds"))
        }
        return issues
    }

    /// The resource identifier clients send as RFC 8707 `resource`: absolute https (http only
    /// on loopback, for development), no fragment, no query, no trailing slash.
    static func resourceProblem(_ url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty
        else {
            return "'\(url)' is not an absolute URL; expected e.g. https://mcp.example.com/mcp"
        }
        if scheme == "http", !isLoopbackName(host) {
            return "'\(url)' must use https (clients refuse plain http for OAuth except on loopback)"
        }
        if scheme != "http", scheme != "https" { return "'\(url)' must be an https URL" }
        if components.query != nil || components.fragment != nil { return "'\(url)' must not have a query or fragment" }
        if components.path.count > 1, components.path.hasSuffix("/") {
            return "'\(url)' must not end with '/': clients compare the resource exactly (write '\(url.dropLast())')"
        }
        return nil
    }

    /// `localhost`, `::1` or an IPv4 literal in 127.0.0.0/8; a DNS name like `127.example.com` is not.
    static func isLoopbackName(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        if bare == "localhost" { return true }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, bare, &v6) == 1 { return bare == "::1" || withUnsafeBytes(of: &v6) { $0.dropLast().allSatisfy { $0 == 0 } && $0.last == 1 } }
        var v4 = in_addr()
        return inet_pton(AF_INET, bare, &v4) == 1 && withUnsafeBytes(of: &v4) { $0.first == 127 }
    }

    /// RFC 6749 §3.3 scope-token: printable ASCII without space, `"` or `\`.
    static func scopeProblem(_ scope: String) -> String? {
        if scope.isEmpty { return "a scope must not be empty" }
        let valid = scope.unicodeScalars.allSatisfy { $0.value == 0x21 || (0x23...0x5B).contains($0.value) || (0x5D...0x7E).contains($0.value) }
        return valid ? nil : "'\(scope)' is not a scope token (printable ASCII without spaces, quotes or backslashes, RFC 6749 §3.3)"
    }

    /// `sha256:<32 hex salt>:<64 hex digest>`, as `portico auth new-key` prints it.
    static func keyHashProblem(_ hash: String) -> String? {
        let parts = hash.split(separator: ":", omittingEmptySubsequences: false)
        let isHex = { (text: Substring) in text.allSatisfy(\.isHexDigit) }
        guard parts.count == 3, parts[0] == "sha256", parts[1].count == 32, isHex(parts[1]), parts[2].count == 64, isHex(parts[2]) else {
            return "expected 'sha256:<32 hex digits of salt>:<64 hex digits of digest>' as printed by `portico auth new-key`; never the key itself"
        }
        return nil
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}

extension PorticoConfiguration.Auth.Issuer {
    func validationIssues(at prefix: String) -> [ConfigIssue] {
        func path(_ key: CodingKeys) -> String { ConfigKeyPath.child(prefix, key.rawValue) }
        var issues: [ConfigIssue] = []
        if issuer.isEmpty {
            issues.append(ConfigIssue(keyPath: path(.issuer), message: "the issuer identifier is required, e.g. https://login.example.com/realms/mcp"))
        } else if let problem = Self.endpointProblem(issuer) {
            issues.append(ConfigIssue(keyPath: path(.issuer), message: problem))
        }
        if let jwksURL, let problem = Self.endpointProblem(jwksURL) {
            issues.append(ConfigIssue(keyPath: path(.jwksURL), message: problem))
        }
        if let audience, audience.isEmpty {
            issues.append(ConfigIssue(keyPath: path(.audience), message: "must not be empty; leave it null to use auth.resource"))
        }
        if algorithms.isEmpty {
            issues.append(ConfigIssue(keyPath: path(.algorithms), message: "list at least one algorithm, e.g. [RS256]"))
        }
        if let introspection {
            let at = path(.introspection)
            if let problem = Self.endpointProblem(introspection.endpoint) {
                issues.append(ConfigIssue(keyPath: ConfigKeyPath.child(at, "endpoint"), message: problem))
            }
            if introspection.clientID.isEmpty {
                issues.append(ConfigIssue(keyPath: ConfigKeyPath.child(at, "client_id"), message: "the client id Portico authenticates with is required"))
            }
            if introspection.clientSecretEnv.isEmpty {
                issues.append(ConfigIssue(keyPath: ConfigKeyPath.child(at, "client_secret_env"), message: "name the environment variable that holds the client secret"))
            }
        }
        return issues
    }

    /// An authorization server URL: https, or http on loopback for development and tests.
    /// Public so URLs found at run time (a discovered `jwks_uri`) meet the same rule.
    public static func endpointProblem(_ url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty
        else {
            return "'\(url)' is not an absolute URL"
        }
        if scheme == "https" || (scheme == "http" && PorticoConfiguration.Auth.isLoopbackName(host)) { return nil }
        return "'\(url)' must use https (http is accepted only on loopback)"
    }
}
