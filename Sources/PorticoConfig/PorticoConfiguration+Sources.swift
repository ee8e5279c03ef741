extension PorticoConfiguration {
    /// The `sources:` section: tools that live outside Portico's own Swift code.
    ///
    /// Three kinds, merged into one tool list: existing stdio MCP servers run as warm child
    /// processes (`stdio`), programs declared as tools (`commands`) and folders of documents
    /// served as ChatGPT-style `search`/`fetch` tools (`files`).
    public struct Sources: Codable, Sendable, Equatable {
        public var stdio: [Stdio]
        public var commands: [Command]
        public var files: [Files]

        public init(stdio: [Stdio] = [], commands: [Command] = [], files: [Files] = []) {
            self.stdio = stdio
            self.commands = commands
            self.files = files
        }

        enum CodingKeys: String, CodingKey, CaseIterable { case stdio, commands, files }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            stdio = try c.decodeValue(forKey: .stdio, default: [], in: decoder)
            commands = try c.decodeValue(forKey: .commands, default: [], in: decoder)
            files = try c.decodeValue(forKey: .files, default: [], in: decoder)
        }

        /// Whether any source is declared.
        public var isEmpty: Bool { stdio.isEmpty && commands.isEmpty && files.isEmpty }
    }
}

extension PorticoConfiguration.Sources {
    /// How remote clients share a stdio server's processes.
    public enum Mode: String, Codable, Sendable, Equatable, CaseIterable {
        /// Calls from every client are multiplexed onto a warm pool of children.
        case shared
        /// Each legacy session gets its own child (for servers that keep per-client state);
        /// stateless 2026-07-28 calls use the shared pool.
        case perSession = "per-session"
    }

    /// One stdio MCP server published as a remote one.
    public struct Stdio: Codable, Sendable, Equatable {
        /// Names the source in logs, errors and metrics; letters, digits, `_` and `-`.
        public var name: String
        /// The program and its arguments, run without a shell; a bare name is looked up on `PATH`.
        public var command: [String]
        /// Variables set on top of Portico's own environment.
        public var env: [String: String]
        /// Working directory; relative paths, and `null`, mean the config file's folder. A program
        /// written as a relative path (`.venv/bin/python`) is found from there too.
        public var cwd: String?
        public var mode: Mode
        /// Warm children in the shared pool.
        public var pool: Int
        /// Calls in flight per child; more wait for a free slot.
        public var maxInFlight: Int
        /// In per-session mode, the most sessions with a child of their own at once.
        public var maxSessionChildren: Int
        /// A call that takes longer is answered with an error and cancelled in the child;
        /// `null` uses `limits.call_timeout_seconds`.
        public var callTimeoutSeconds: Int?
        /// Time a child gets to start and answer `initialize`.
        public var startupTimeoutSeconds: Int
        /// A child that owes answers, has been silent for half this long and does not reply to
        /// `ping` within this long is considered hung: its calls fail and it is restarted.
        /// Servers that block their event loop in a tool (python-sdk 1.x runs `def` tools on
        /// it) need this above their longest such tool.
        public var hangTimeoutSeconds: Int
        /// First delay before restarting a child that died; doubles up to the maximum.
        public var restartBackoffSeconds: Double
        public var restartBackoffMaxSeconds: Double
        /// Put in front of every tool and prompt name (`notes_` → `notes_search`).
        public var prefix: String?
        /// Whether `portico serve` fails when the server cannot start; otherwise it keeps
        /// retrying in the background and its tools appear when it is up.
        public var required: Bool

        public init(
            name: String = "", command: [String] = [], env: [String: String] = [:], cwd: String? = nil,
            mode: Mode = .shared, pool: Int = 1, maxInFlight: Int = 64, maxSessionChildren: Int = 32, callTimeoutSeconds: Int? = nil,
            startupTimeoutSeconds: Int = 30, hangTimeoutSeconds: Int = 30, restartBackoffSeconds: Double = 0.5, restartBackoffMaxSeconds: Double = 30,
            prefix: String? = nil, required: Bool = true
        ) {
            self.name = name
            self.command = command
            self.env = env
            self.cwd = cwd
            self.mode = mode
            self.pool = pool
            self.maxInFlight = maxInFlight
            self.maxSessionChildren = maxSessionChildren
            self.callTimeoutSeconds = callTimeoutSeconds
            self.startupTimeoutSeconds = startupTimeoutSeconds
            self.hangTimeoutSeconds = hangTimeoutSeconds
            self.restartBackoffSeconds = restartBackoffSeconds
            self.restartBackoffMaxSeconds = restartBackoffMaxSeconds
            self.prefix = prefix
            self.required = required
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, command, env, cwd, mode, pool
            case maxInFlight = "max_in_flight"
            case maxSessionChildren = "max_session_children"
            case callTimeoutSeconds = "call_timeout_seconds"
            case startupTimeoutSeconds = "startup_timeout_seconds"
            case hangTimeoutSeconds = "hang_timeout_seconds"
            case restartBackoffSeconds = "restart_backoff_seconds"
            case restartBackoffMaxSeconds = "restart_backoff_max_seconds"
            case prefix, required
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Stdio()
            name = try c.decodeValue(forKey: .name, default: d.name, in: decoder)
            command = try c.decodeValue(forKey: .command, default: d.command, in: decoder)
            env = try c.decodeValue(forKey: .env, default: d.env, in: decoder)
            cwd = try c.decodeValue(forKey: .cwd, default: d.cwd, in: decoder)
            mode = try c.decodeValue(forKey: .mode, default: d.mode, in: decoder)
            pool = try c.decodeValue(forKey: .pool, default: d.pool, in: decoder)
            maxInFlight = try c.decodeValue(forKey: .maxInFlight, default: d.maxInFlight, in: decoder)
            maxSessionChildren = try c.decodeValue(forKey: .maxSessionChildren, default: d.maxSessionChildren, in: decoder)
            callTimeoutSeconds = try c.decodeValue(forKey: .callTimeoutSeconds, default: d.callTimeoutSeconds, in: decoder)
            startupTimeoutSeconds = try c.decodeValue(forKey: .startupTimeoutSeconds, default: d.startupTimeoutSeconds, in: decoder)
            hangTimeoutSeconds = try c.decodeValue(forKey: .hangTimeoutSeconds, default: d.hangTimeoutSeconds, in: decoder)
            restartBackoffSeconds = try c.decodeValue(forKey: .restartBackoffSeconds, default: d.restartBackoffSeconds, in: decoder)
            restartBackoffMaxSeconds = try c.decodeValue(forKey: .restartBackoffMaxSeconds, default: d.restartBackoffMaxSeconds, in: decoder)
            prefix = try c.decodeValue(forKey: .prefix, default: d.prefix, in: decoder)
            required = try c.decodeValue(forKey: .required, default: d.required, in: decoder)
        }
    }

    /// How a command tool's standard output becomes its result.
    public enum CommandOutput: String, Codable, Sendable, Equatable, CaseIterable {
        /// One text content block.
        case text
        /// Parsed as JSON into `structuredContent`, with the text mirror.
        case json
    }

    /// A program published as a tool.
    public struct Command: Codable, Sendable, Equatable {
        /// The tool's name, as clients see it.
        public var name: String
        public var title: String?
        public var description: String?
        /// JSON Schema of the arguments, written in YAML.
        public var inputSchema: ConfigJSON
        /// The program and its arguments, never through a shell; `{{param}}` expands to
        /// exactly one argument, whatever the value contains.
        public var argv: [String]
        /// Whether the arguments also go to standard input as one JSON object.
        public var stdinJSON: Bool
        /// Working directory; relative paths, and `null`, mean the config file's folder.
        public var cwd: String?
        /// Names of Portico's environment variables the program may see; nothing else is passed.
        public var env: [String]
        public var timeoutSeconds: Int
        /// Standard output beyond this is dropped and the result says so.
        public var maxOutputBytes: Int
        /// Runs at once; more calls wait.
        public var maxConcurrency: Int
        public var output: CommandOutput
        /// Marks the tool `readOnlyHint: true` for clients.
        public var readOnly: Bool

        public init(
            name: String = "", title: String? = nil, description: String? = nil, inputSchema: ConfigJSON = .object([("type", .string("object"))]),
            argv: [String] = [], stdinJSON: Bool = true, cwd: String? = nil, env: [String] = ["PATH", "LANG", "HOME"],
            timeoutSeconds: Int = 30, maxOutputBytes: Int = 1 << 20, maxConcurrency: Int = 4, output: CommandOutput = .text,
            readOnly: Bool = false
        ) {
            self.name = name
            self.title = title
            self.description = description
            self.inputSchema = inputSchema
            self.argv = argv
            self.stdinJSON = stdinJSON
            self.cwd = cwd
            self.env = env
            self.timeoutSeconds = timeoutSeconds
            self.maxOutputBytes = maxOutputBytes
            self.maxConcurrency = maxConcurrency
            self.output = output
            self.readOnly = readOnly
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, title, description
            case inputSchema = "input_schema"
            case argv
            case stdinJSON = "stdin_json"
            case cwd, env
            case timeoutSeconds = "timeout_seconds"
            case maxOutputBytes = "max_output_bytes"
            case maxConcurrency = "max_concurrency"
            case output
            case readOnly = "read_only"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Command()
            name = try c.decodeValue(forKey: .name, default: d.name, in: decoder)
            title = try c.decodeValue(forKey: .title, default: d.title, in: decoder)
            description = try c.decodeValue(forKey: .description, default: d.description, in: decoder)
            inputSchema = try c.decodeValue(forKey: .inputSchema, default: d.inputSchema, in: decoder)
            argv = try c.decodeValue(forKey: .argv, default: d.argv, in: decoder)
            stdinJSON = try c.decodeValue(forKey: .stdinJSON, default: d.stdinJSON, in: decoder)
            cwd = try c.decodeValue(forKey: .cwd, default: d.cwd, in: decoder)
            env = try c.decodeValue(forKey: .env, default: d.env, in: decoder)
            timeoutSeconds = try c.decodeValue(forKey: .timeoutSeconds, default: d.timeoutSeconds, in: decoder)
            maxOutputBytes = try c.decodeValue(forKey: .maxOutputBytes, default: d.maxOutputBytes, in: decoder)
            maxConcurrency = try c.decodeValue(forKey: .maxConcurrency, default: d.maxConcurrency, in: decoder)
            output = try c.decodeValue(forKey: .output, default: d.output, in: decoder)
            readOnly = try c.decodeValue(forKey: .readOnly, default: d.readOnly, in: decoder)
        }
    }

    /// A folder served read-only: `search`/`fetch` tools (the shapes ChatGPT's connectors and
    /// deep research require) and one resource per file.
    public struct Files: Codable, Sendable, Equatable {
        public var name: String
        /// The folder; relative paths are relative to the config file.
        public var root: String
        /// Base of the `url` each result carries for citations (`https://docs.example.com/`);
        /// `null` uses the file's resource URI.
        public var baseURL: String?
        /// Files larger than this are skipped.
        public var maxFileBytes: Int
        /// Put in front of the tool names (`docs_` → `docs_search`); ChatGPT needs the bare
        /// names, so only one files source may leave it empty.
        public var prefix: String?
        /// Whether each file is also listed as an MCP resource.
        public var resources: Bool

        public init(name: String = "", root: String = "", baseURL: String? = nil, maxFileBytes: Int = 10 << 20, prefix: String? = nil, resources: Bool = true) {
            self.name = name
            self.root = root
            self.baseURL = baseURL
            self.maxFileBytes = maxFileBytes
            self.prefix = prefix
            self.resources = resources
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, root
            case baseURL = "base_url"
            case maxFileBytes = "max_file_bytes"
            case prefix, resources
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Files()
            name = try c.decodeValue(forKey: .name, default: d.name, in: decoder)
            root = try c.decodeValue(forKey: .root, default: d.root, in: decoder)
            baseURL = try c.decodeValue(forKey: .baseURL, default: d.baseURL, in: decoder)
            maxFileBytes = try c.decodeValue(forKey: .maxFileBytes, default: d.maxFileBytes, in: decoder)
            prefix = try c.decodeValue(forKey: .prefix, default: d.prefix, in: decoder)
            resources = try c.decodeValue(forKey: .resources, default: d.resources, in: decoder)
        }
    }
}

extension PorticoConfiguration.Sources.Mode: ConfigEnum {
    public init(from decoder: any Decoder) throws { self = try Self.decodeWord(from: decoder) }
    static var kindName: String { "stdio mode" }
}

extension PorticoConfiguration.Sources.CommandOutput: ConfigEnum {
    public init(from decoder: any Decoder) throws { self = try Self.decodeWord(from: decoder) }
    static var kindName: String { "command output" }
}

extension PorticoConfiguration.Sources: ConfigValue {
    static var expectation: String { "a mapping of tool sources" }
    static var pluralExpectation: String { "mappings" }
}

extension PorticoConfiguration.Sources.Stdio: ConfigValue {
    static var expectation: String { "a mapping describing a stdio MCP server" }
    static var pluralExpectation: String { "mappings" }
}

extension PorticoConfiguration.Sources.Command: ConfigValue {
    static var expectation: String { "a mapping describing a command tool" }
    static var pluralExpectation: String { "mappings" }
}

extension PorticoConfiguration.Sources.Files: ConfigValue {
    static var expectation: String { "a mapping describing a folder" }
    static var pluralExpectation: String { "mappings" }
}
