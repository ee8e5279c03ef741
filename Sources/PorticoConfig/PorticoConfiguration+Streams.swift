extension PorticoConfiguration {
    /// The `streams:` section: long-lived SSE streams, their keep-alives and the legacy event log.
    public struct Streams: Codable, Sendable, Equatable {
        /// Seconds of silence after which an open SSE stream gets a comment line, so proxies
        /// that cut idle connections (often after 60 s or 5 min) leave it alone; 0 turns it off.
        public var keepaliveSeconds: Double
        /// Whether legacy-era (≤ 2025-11-25) SSE events carry ids and can be replayed with `Last-Event-ID`.
        public var resumable: Bool
        /// The SSE `retry:` value, in milliseconds, sent with priming events (2025-11-25 sessions).
        public var retryMilliseconds: Int
        /// Bytes of kept events across every session; past it the oldest events go first.
        public var eventLogBytes: Int
        /// Events kept per stream; past it that stream's oldest events go first.
        public var eventsPerStream: Int
        /// Open `subscriptions/listen` streams at once; more are refused with 503.
        public var maxListeners: Int
        /// Resource URIs one listen stream, or one legacy session, may subscribe to.
        public var maxSubscriptions: Int
        /// Whether the 2024-11-05 HTTP+SSE endpoints (`GET /sse`, `POST /messages`) are served.
        public var legacySSE: Bool

        /// Creates a streams section; every argument defaults to the value used when the key is omitted.
        public init(
            keepaliveSeconds: Double = 15,
            resumable: Bool = true,
            retryMilliseconds: Int = 1_000,
            eventLogBytes: Int = 4_194_304,
            eventsPerStream: Int = 1_024,
            maxListeners: Int = 10_000,
            maxSubscriptions: Int = 1_000,
            legacySSE: Bool = true
        ) {
            self.keepaliveSeconds = keepaliveSeconds
            self.resumable = resumable
            self.retryMilliseconds = retryMilliseconds
            self.eventLogBytes = eventLogBytes
            self.eventsPerStream = eventsPerStream
            self.maxListeners = maxListeners
            self.maxSubscriptions = maxSubscriptions
            self.legacySSE = legacySSE
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case keepaliveSeconds = "keepalive_seconds"
            case resumable
            case retryMilliseconds = "retry_ms"
            case eventLogBytes = "event_log_bytes"
            case eventsPerStream = "events_per_stream"
            case maxListeners = "max_listeners"
            case maxSubscriptions = "max_subscriptions"
            case legacySSE = "legacy_sse"
        }

        /// Decodes the section, filling every absent or null key with its default.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Streams()
            keepaliveSeconds = try container.decodeValue(forKey: .keepaliveSeconds, default: defaults.keepaliveSeconds, in: decoder)
            resumable = try container.decodeValue(forKey: .resumable, default: defaults.resumable, in: decoder)
            retryMilliseconds = try container.decodeValue(forKey: .retryMilliseconds, default: defaults.retryMilliseconds, in: decoder)
            eventLogBytes = try container.decodeValue(forKey: .eventLogBytes, default: defaults.eventLogBytes, in: decoder)
            eventsPerStream = try container.decodeValue(forKey: .eventsPerStream, default: defaults.eventsPerStream, in: decoder)
            maxListeners = try container.decodeValue(forKey: .maxListeners, default: defaults.maxListeners, in: decoder)
            maxSubscriptions = try container.decodeValue(forKey: .maxSubscriptions, default: defaults.maxSubscriptions, in: decoder)
            legacySSE = try container.decodeValue(forKey: .legacySSE, default: defaults.legacySSE, in: decoder)
        }
    }

    /// The `request_state:` section: how 2026-07-28 multi-round-trip state is sealed.
    ///
    /// `requestState` travels through the client, so it is sealed with AES-GCM. Every box of a
    /// deployment must share the keys; the first seals, all of them open, so a key can be
    /// rotated in by listing it first while the old one still opens flows in flight.
    public struct RequestState: Codable, Sendable, Equatable {
        /// Seconds a sealed state stays valid.
        public var ttlSeconds: Int
        /// Base64 keys of 32 bytes (AES-256); an entry `env:NAME` reads the key from that
        /// environment variable. Empty: a random key per process (fine for one box).
        public var keys: [String]

        public init(ttlSeconds: Int = 600, keys: [String] = []) {
            self.ttlSeconds = ttlSeconds
            self.keys = keys
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case ttlSeconds = "ttl_seconds"
            case keys
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = RequestState()
            ttlSeconds = try container.decodeValue(forKey: .ttlSeconds, default: defaults.ttlSeconds, in: decoder)
            keys = try container.decodeValue(forKey: .keys, default: defaults.keys, in: decoder)
        }
    }
}

extension PorticoConfiguration.Streams {
    func validationIssues(at prefix: String) -> [ConfigIssue] {
        func path(_ key: CodingKeys) -> String { ConfigKeyPath.child(prefix, key.rawValue) }
        var issues: [ConfigIssue] = []
        if keepaliveSeconds < 0 || !keepaliveSeconds.isFinite {
            issues.append(ConfigIssue(keyPath: path(.keepaliveSeconds), message: "must be 0 (off) or more, got \(keepaliveSeconds)"))
        }
        let positive: [(CodingKeys, Int)] = [
            (.retryMilliseconds, retryMilliseconds), (.eventLogBytes, eventLogBytes), (.eventsPerStream, eventsPerStream),
            (.maxListeners, maxListeners), (.maxSubscriptions, maxSubscriptions),
        ]
        for (key, value) in positive where value <= 0 {
            issues.append(ConfigIssue(keyPath: path(key), message: "must be greater than 0, got \(value)"))
        }
        return issues
    }
}

extension PorticoConfiguration.RequestState {
    func validationIssues(at prefix: String) -> [ConfigIssue] {
        func path(_ key: CodingKeys) -> String { ConfigKeyPath.child(prefix, key.rawValue) }
        var issues: [ConfigIssue] = []
        if ttlSeconds <= 0 {
            issues.append(ConfigIssue(keyPath: path(.ttlSeconds), message: "must be greater than 0, got \(ttlSeconds)"))
        }
        for (index, key) in keys.enumerated() {
            if key.hasPrefix("env:") {
                if key.dropFirst(4).isEmpty {
                    issues.append(ConfigIssue(keyPath: ConfigKeyPath.element(path(.keys), index), message: "'env:' needs a variable name"))
                }
                continue
            }
            if let problem = Self.keyProblem(key) {
                issues.append(ConfigIssue(keyPath: ConfigKeyPath.element(path(.keys), index), message: problem))
            }
        }
        return issues
    }

    /// Why a base64 key is unusable, or `nil`.
    static func keyProblem(_ key: String) -> String? {
        guard let bytes = decodeBase64(key) else { return "is not valid base64 (generate one with: head -c 32 /dev/urandom | base64)" }
        guard bytes.count == 32 else { return "must decode to 32 bytes (AES-256), got \(bytes.count)" }
        return nil
    }

    /// The environment variables the keys are read from (`env:NAME` entries): secrets that
    /// child processes must not inherit.
    public var secretEnvironmentNames: [String] {
        keys.compactMap { $0.hasPrefix("env:") ? String($0.dropFirst(4)) : nil }
    }

    /// The key bytes, reading `env:NAME` entries from `environment`; throws a message naming the bad entry.
    public func keyBytes(environment: (String) -> String?) throws(ConfigError) -> [[UInt8]] {
        var result: [[UInt8]] = []
        for (index, entry) in keys.enumerated() {
            var text = entry
            if entry.hasPrefix("env:") {
                let name = String(entry.dropFirst(4))
                guard let value = environment(name) else {
                    throw ConfigError(source: "environment", issues: [ConfigIssue(keyPath: "request_state.keys[\(index)]", message: "environment variable \(name) is not set")])
                }
                text = value
            }
            if let problem = Self.keyProblem(text) {
                throw ConfigError(source: entry.hasPrefix("env:") ? "environment" : "config", issues: [ConfigIssue(keyPath: "request_state.keys[\(index)]", message: problem)])
            }
            result.append(Self.decodeBase64(text)!)
        }
        return result
    }

    /// Standard or URL-safe base64, padding optional.
    static func decodeBase64(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        var accumulator: UInt32 = 0
        var bits = 0
        var result: [UInt8] = []
        for scalar in text.unicodeScalars {
            let value: UInt8
            switch scalar {
            case "A"..."Z": value = UInt8(scalar.value - 65)
            case "a"..."z": value = UInt8(scalar.value - 97 + 26)
            case "0"..."9": value = UInt8(scalar.value - 48 + 52)
            case "+", "-": value = 62
            case "/", "_": value = 63
            case "=": continue
            default: return nil
            }
            values.append(value)
            accumulator = (accumulator << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                result.append(UInt8((accumulator >> UInt32(bits)) & 0xFF))
            }
        }
        return values.isEmpty ? nil : result
    }
}

extension Double: ConfigValue {
    static var expectation: String { "a number" }
    static var pluralExpectation: String { "numbers" }
}

extension Bool: ConfigValue {
    static var expectation: String { "true or false" }
    static var pluralExpectation: String { "booleans" }
}

extension PorticoConfiguration.Streams: ConfigValue {
    static var expectation: String { "a mapping of stream settings" }
    static var pluralExpectation: String { "mappings" }
}

extension PorticoConfiguration.RequestState: ConfigValue {
    static var expectation: String { "a mapping of request-state settings" }
    static var pluralExpectation: String { "mappings" }
}

extension PorticoConfiguration {
    /// The `tasks:` section: the store behind the `io.modelcontextprotocol/tasks` extension.
    public struct Tasks: Codable, Sendable, Equatable {
        /// Tasks kept at once; past it the oldest finished task makes room, and new tasks are refused while all run.
        public var maxTasks: Int
        /// Seconds a task (and its result) is kept after creation (`ttlMs`).
        public var ttlSeconds: Int
        /// The polling interval suggested to clients (`pollIntervalMs`).
        public var pollIntervalMilliseconds: Int

        public init(maxTasks: Int = 1_000, ttlSeconds: Int = 3_600, pollIntervalMilliseconds: Int = 500) {
            self.maxTasks = maxTasks
            self.ttlSeconds = ttlSeconds
            self.pollIntervalMilliseconds = pollIntervalMilliseconds
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case maxTasks = "max_tasks"
            case ttlSeconds = "ttl_seconds"
            case pollIntervalMilliseconds = "poll_interval_ms"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Tasks()
            maxTasks = try container.decodeValue(forKey: .maxTasks, default: defaults.maxTasks, in: decoder)
            ttlSeconds = try container.decodeValue(forKey: .ttlSeconds, default: defaults.ttlSeconds, in: decoder)
            pollIntervalMilliseconds = try container.decodeValue(forKey: .pollIntervalMilliseconds, default: defaults.pollIntervalMilliseconds, in: decoder)
        }

        func validationIssues(at prefix: String) -> [ConfigIssue] {
            let values: [(CodingKeys, Int)] = [(.maxTasks, maxTasks), (.ttlSeconds, ttlSeconds), (.pollIntervalMilliseconds, pollIntervalMilliseconds)]
            return values.filter { $0.1 <= 0 }.map { key, value in
                ConfigIssue(keyPath: ConfigKeyPath.child(prefix, key.rawValue), message: "must be greater than 0, got \(value)")
            }
        }
    }
}

extension PorticoConfiguration.Tasks: ConfigValue {
    static var expectation: String { "a mapping of task settings" }
    static var pluralExpectation: String { "mappings" }
}
