extension PorticoConfiguration.Sources {
    /// The tool names the folder sources publish, with their prefixes applied.
    public static func filesToolNames(prefix: String?) -> [String] {
        ["search", "fetch"].map { (prefix ?? "") + $0 }
    }

    func validationIssues(at prefix: String) -> [ConfigIssue] {
        var issues: [ConfigIssue] = []
        var sourceNames: [String: String] = [:]
        var toolNames: [String: String] = [:]

        func claimSource(_ name: String, at keyPath: String) {
            guard !name.isEmpty else { return }
            if let earlier = sourceNames[name] {
                issues.append(ConfigIssue(keyPath: keyPath, message: "source name '\(name)' is already used by \(earlier)"))
            } else {
                sourceNames[name] = keyPath
            }
        }
        func claimTool(_ tool: String, for owner: String, at keyPath: String) {
            if let earlier = toolNames[tool] {
                issues.append(ConfigIssue(keyPath: keyPath, message: "tool name '\(tool)' of \(owner) clashes with \(earlier); give one of them a prefix"))
            } else {
                toolNames[tool] = owner
            }
        }

        let stdioPath = ConfigKeyPath.child(prefix, CodingKeys.stdio.rawValue)
        for (index, source) in stdio.enumerated() {
            let path = ConfigKeyPath.element(stdioPath, index)
            issues += source.validationIssues(at: path)
            claimSource(source.name, at: path)
        }
        let commandsPath = ConfigKeyPath.child(prefix, CodingKeys.commands.rawValue)
        for (index, command) in commands.enumerated() {
            let path = ConfigKeyPath.element(commandsPath, index)
            issues += command.validationIssues(at: path)
            claimSource(command.name, at: path)
            if !command.name.isEmpty { claimTool(command.name, for: "command '\(command.name)'", at: ConfigKeyPath.child(path, "name")) }
        }
        let filesPath = ConfigKeyPath.child(prefix, CodingKeys.files.rawValue)
        for (index, folder) in files.enumerated() {
            let path = ConfigKeyPath.element(filesPath, index)
            issues += folder.validationIssues(at: path)
            claimSource(folder.name, at: path)
            // search and fetch clash together, so one issue covers both.
            let owner = "files source '\(folder.name)'"
            let names = Self.filesToolNames(prefix: folder.prefix)
            if let clash = names.first(where: { toolNames[$0] != nil }), let earlier = toolNames[clash] {
                issues.append(ConfigIssue(
                    keyPath: ConfigKeyPath.child(path, "prefix"),
                    message: "tool name '\(clash)' of \(owner) clashes with \(earlier); give one of them a prefix"))
            } else {
                for name in names { claimTool(name, for: owner, at: ConfigKeyPath.child(path, "prefix")) }
            }
        }
        return issues
    }

    static func nameProblem(_ name: String) -> String? {
        if name.isEmpty { return "is required" }
        let allowed = name.utf8.allSatisfy { isWordByte($0) || $0 == UInt8(ascii: "-") }
        return allowed && name.utf8.count <= 64 ? nil : "'\(name)' must be 1-64 letters, digits, '_' or '-'"
    }

    /// A prefix joins a tool name, so it may use only the characters tool names allow (2025-11-25 tools §Tool Names).
    static func prefixProblem(_ prefix: String?) -> String? {
        guard let prefix else { return nil }
        let allowed = prefix.utf8.allSatisfy { isWordByte($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
        return !prefix.isEmpty && allowed && prefix.utf8.count <= 64 ? nil : "'\(prefix)' must be 1-64 letters, digits, '_', '-' or '.'"
    }

    static func isWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"): true
        default: false
        }
    }
}

extension PorticoConfiguration.Sources.Stdio {
    func validationIssues(at prefix: String) -> [ConfigIssue] {
        func path(_ key: CodingKeys) -> String { ConfigKeyPath.child(prefix, key.rawValue) }
        var issues: [ConfigIssue] = []
        if let problem = PorticoConfiguration.Sources.nameProblem(name) { issues.append(ConfigIssue(keyPath: path(.name), message: problem)) }
        if command.isEmpty || command[0].isEmpty {
            issues.append(ConfigIssue(keyPath: path(.command), message: "is required: the program and its arguments, e.g. [python, server.py]"))
        }
        for (index, argument) in command.enumerated() where argument.utf8.contains(0) {
            issues.append(ConfigIssue(keyPath: ConfigKeyPath.element(path(.command), index), message: "must not contain a NUL character"))
        }
        let atLeastOne: [(CodingKeys, Int)] = [(.pool, pool), (.maxInFlight, maxInFlight), (.maxSessionChildren, maxSessionChildren), (.startupTimeoutSeconds, startupTimeoutSeconds), (.hangTimeoutSeconds, hangTimeoutSeconds)]
        for (key, value) in atLeastOne where value < 1 {
            issues.append(ConfigIssue(keyPath: path(key), message: "must be 1 or more, got \(value)"))
        }
        if let callTimeoutSeconds, callTimeoutSeconds < 0 {
            issues.append(ConfigIssue(keyPath: path(.callTimeoutSeconds), message: "must be 0 (no limit) or more, got \(callTimeoutSeconds)"))
        }
        if !(restartBackoffSeconds > 0) {
            issues.append(ConfigIssue(keyPath: path(.restartBackoffSeconds), message: "must be greater than 0, got \(restartBackoffSeconds)"))
        }
        if !(restartBackoffMaxSeconds >= restartBackoffSeconds) {
            issues.append(ConfigIssue(keyPath: path(.restartBackoffMaxSeconds), message: "must be at least restart_backoff_seconds (\(restartBackoffSeconds)), got \(restartBackoffMaxSeconds)"))
        }
        if let problem = PorticoConfiguration.Sources.prefixProblem(self.prefix) { issues.append(ConfigIssue(keyPath: path(.prefix), message: problem)) }
        return issues
    }
}

extension PorticoConfiguration.Sources.Command {
    func validationIssues(at prefix: String) -> [ConfigIssue] {
        func path(_ key: CodingKeys) -> String { ConfigKeyPath.child(prefix, key.rawValue) }
        var issues: [ConfigIssue] = []
        if name.isEmpty {
            issues.append(ConfigIssue(keyPath: path(.name), message: "is required"))
        } else if PorticoConfiguration.Sources.prefixProblem(name) != nil || name.utf8.count > 128 {
            issues.append(ConfigIssue(keyPath: path(.name), message: "'\(name)' must be 1-128 letters, digits, '_', '-' or '.' (a tool name)"))
        }
        guard case .object = inputSchema, inputSchema["type"] == .string("object") else {
            issues.append(ConfigIssue(keyPath: path(.inputSchema), message: "must be a JSON Schema object with type: object"))
            return issues
        }
        var declared: Set<String> = []
        if case .object(let properties)? = inputSchema["properties"] { declared = Set(properties.map(\.key)) }
        if argv.isEmpty || argv[0].isEmpty {
            issues.append(ConfigIssue(keyPath: path(.argv), message: "is required: the program and its arguments, e.g. [wc, -w, \"{{path}}\"]"))
        }
        for (index, element) in argv.enumerated() where element.utf8.contains(0) {
            issues.append(ConfigIssue(keyPath: ConfigKeyPath.element(path(.argv), index), message: "must not contain a NUL character"))
        }
        do {
            let template = try ArgvTemplate(argv)
            if let first = argv.first, (try? ArgvTemplate([first]))?.placeholders.isEmpty == false {
                issues.append(ConfigIssue(keyPath: ConfigKeyPath.element(path(.argv), 0), message: "the program itself cannot come from an argument"))
            }
            for name in template.placeholders where !declared.contains(name) {
                issues.append(ConfigIssue(keyPath: path(.argv), message: "placeholder '{{\(name)}}' is not a property of input_schema (declared: \(declared.sorted().joined(separator: ", ")))"))
            }
        } catch {
            issues.append(ConfigIssue(keyPath: ConfigKeyPath.element(path(.argv), error.elementIndex), message: error.description))
        }
        let atLeastOne: [(CodingKeys, Int)] = [(.timeoutSeconds, timeoutSeconds), (.maxOutputBytes, maxOutputBytes), (.maxConcurrency, maxConcurrency)]
        for (key, value) in atLeastOne where value < 1 {
            issues.append(ConfigIssue(keyPath: path(key), message: "must be 1 or more, got \(value)"))
        }
        for (index, variable) in env.enumerated() where variable.isEmpty || variable.contains("=") || variable.utf8.contains(0) {
            issues.append(ConfigIssue(keyPath: ConfigKeyPath.element(path(.env), index), message: "'\(variable)' is not an environment variable name"))
        }
        return issues
    }
}

extension PorticoConfiguration.Sources.Files {
    func validationIssues(at prefix: String) -> [ConfigIssue] {
        func path(_ key: CodingKeys) -> String { ConfigKeyPath.child(prefix, key.rawValue) }
        var issues: [ConfigIssue] = []
        if let problem = PorticoConfiguration.Sources.nameProblem(name) { issues.append(ConfigIssue(keyPath: path(.name), message: problem)) }
        if root.isEmpty { issues.append(ConfigIssue(keyPath: path(.root), message: "is required: the folder to serve")) }
        if maxFileBytes < 1 { issues.append(ConfigIssue(keyPath: path(.maxFileBytes), message: "must be 1 or more, got \(maxFileBytes)")) }
        if let baseURL, !(baseURL.hasPrefix("https://") || baseURL.hasPrefix("http://")) {
            issues.append(ConfigIssue(keyPath: path(.baseURL), message: "'\(baseURL)' must be an http(s) URL"))
        }
        if let problem = PorticoConfiguration.Sources.prefixProblem(self.prefix) { issues.append(ConfigIssue(keyPath: path(.prefix), message: problem)) }
        return issues
    }
}
