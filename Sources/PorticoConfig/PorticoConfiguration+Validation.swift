extension PorticoConfiguration {
    /// Checks values that decode fine but cannot work, such as port 70000 or a path without a leading slash.
    ///
    /// Public so configurations built in code (tests, embedders) get the same checks as files. Issues carry
    /// key paths but no line numbers, since a value in memory has no source line; ``decode(yaml:source:)``
    /// adds them.
    public func validate() -> [ConfigIssue] {
        server.validationIssues(at: CodingKeys.server.rawValue)
            + limits.validationIssues(at: CodingKeys.limits.rawValue)
            + tools.validationIssues(at: CodingKeys.tools.rawValue)
            + streams.validationIssues(at: CodingKeys.streams.rawValue)
            + requestState.validationIssues(at: CodingKeys.requestState.rawValue)
            + tasks.validationIssues(at: CodingKeys.tasks.rawValue)
            + edge.validationIssues(at: CodingKeys.edge.rawValue, in: self)
            + sources.validationIssues(at: CodingKeys.sources.rawValue)
            + auth.validationIssues(at: CodingKeys.auth.rawValue, server: server)
            + metrics.validationIssues(at: CodingKeys.metrics.rawValue, server: server)
    }
}

extension PorticoConfiguration.Server {
    func validationIssues(at prefix: String) -> [ConfigIssue] {
        func path(_ key: CodingKeys) -> String { ConfigKeyPath.child(prefix, key.rawValue) }
        var issues: [ConfigIssue] = []

        if let problem = NetworkSyntax.listenHostProblem(host) {
            issues.append(ConfigIssue(keyPath: path(.host), message: problem))
        }
        if !(0...65_535).contains(port) {
            issues.append(ConfigIssue(keyPath: path(.port), message: "must be between 0 and 65535, got \(port)"))
        }
        if let problem = NetworkSyntax.endpointPathProblem(self.path) {
            issues.append(ConfigIssue(keyPath: path(.path), message: problem))
        }
        if let publicURL, let problem = NetworkSyntax.publicURLProblem(publicURL) {
            issues.append(ConfigIssue(keyPath: path(.publicURL), message: problem))
        }
        for (index, origin) in allowedOrigins.enumerated() {
            if let problem = NetworkSyntax.originProblem(origin) {
                let keyPath = ConfigKeyPath.element(path(.allowedOrigins), index)
                issues.append(ConfigIssue(keyPath: keyPath, message: problem))
            }
        }
        for (index, origin) in corsOrigins.enumerated() {
            if let problem = NetworkSyntax.originProblem(origin) {
                issues.append(ConfigIssue(keyPath: ConfigKeyPath.element(path(.corsOrigins), index), message: problem))
            }
        }
        for (index, entry) in allowedHosts.enumerated() {
            if let problem = NetworkSyntax.hostPatternProblem(entry) {
                let keyPath = ConfigKeyPath.element(path(.allowedHosts), index)
                issues.append(ConfigIssue(keyPath: keyPath, message: problem))
            }
        }
        if drainTimeoutSeconds < 0 {
            issues.append(ConfigIssue(
                keyPath: path(.drainTimeoutSeconds),
                message: "must be 0 or more, got \(drainTimeoutSeconds)"
            ))
        }
        return issues
    }
}

extension PorticoConfiguration.Limits {
    func validationIssues(at prefix: String) -> [ConfigIssue] {
        func path(_ key: CodingKeys) -> String { ConfigKeyPath.child(prefix, key.rawValue) }
        var issues: [ConfigIssue] = []

        let positive: [(CodingKeys, Int)] = [
            (.maxBodyBytes, maxBodyBytes),
            (.maxSessions, maxSessions),
            (.sessionIdleTimeoutSeconds, sessionIdleTimeoutSeconds),
        ]
        for (key, value) in positive where value <= 0 {
            issues.append(ConfigIssue(keyPath: path(key), message: "must be greater than 0, got \(value)"))
        }
        if callTimeoutSeconds < 0 {
            issues.append(ConfigIssue(keyPath: path(.callTimeoutSeconds), message: "must be 0 (no limit) or more, got \(callTimeoutSeconds)"))
        }
        if !(1...1_000).contains(pageSize) {
            issues.append(ConfigIssue(keyPath: path(.pageSize), message: "must be between 1 and 1000, got \(pageSize)"))
        }
        return issues
    }
}

extension PorticoConfiguration.Tools {
    func validationIssues(at prefix: String) -> [ConfigIssue] {
        let packsPath = ConfigKeyPath.child(prefix, CodingKeys.packs.rawValue)
        var seen: Set<PorticoConfiguration.ToolPack> = []
        var issues: [ConfigIssue] = []
        for (index, pack) in packs.enumerated() where !seen.insert(pack).inserted {
            // A repeated pack would register every tool twice and clash on names at startup.
            issues.append(ConfigIssue(
                keyPath: ConfigKeyPath.element(packsPath, index),
                message: "'\(pack.rawValue)' is listed more than once"
            ))
        }
        return issues
    }
}
