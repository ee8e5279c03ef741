import MCPCore
import PorticoConfig

#if canImport(Glibc)
import Glibc
#endif

/// A program declared in the config, published as a tool.
///
/// Each call expands the argv template (one placeholder, one argv element, whatever the value
/// holds), passes the arguments as a JSON object on stdin, runs the program without a shell in
/// its own process group with exactly the allowed environment, and turns what it printed into
/// the result. Failures are tool errors the model can read: the exit status with the end of
/// stderr, or the timeout that killed it.
enum CommandTool {
    static func make(_ command: PorticoConfiguration.Sources.Command, baseDirectory: String) throws -> Tool {
        let template = try ArgvTemplate(command.argv)
        let limit = ConcurrencyLimit(limit: command.maxConcurrency)
        let environment = allowedEnvironment(command.env)
        let workingDirectory = BridgeHost.resolve(command.cwd ?? ".", against: baseDirectory)
        let name = command.name
        return Tool(
            name: name, title: command.title, description: command.description,
            inputSchema: JSONValue(command.inputSchema),
            annotations: command.readOnly ? ToolAnnotations(readOnlyHint: true, destructiveHint: false) : nil
        ) { arguments, _ in
            var argv: [String]
            do {
                argv = try template.expand { placeholder in arguments[placeholder].map(argumentText) }
                argv[0] = BridgeHost.program(argv[0], base: baseDirectory)
            } catch {
                return .error("Tool '\(name)': \(error)")
            }
            let spec = CommandSpec(
                argv: argv, stdin: command.stdinJSON ? JSONValue.object(arguments).jsonBytes + [0x0A] : [],
                environment: environment, workingDirectory: workingDirectory,
                timeout: .seconds(command.timeoutSeconds), maxOutputBytes: command.maxOutputBytes)
            let outcome: CommandOutcome
            do {
                outcome = try await limit.withSlot { try await CommandRunner.run(spec) }
            } catch let error as CommandRunError {
                return .error("Tool '\(name)' could not run: \(error.description)")
            }
            return result(of: outcome, command: command)
        }
    }

    /// A string argument is used as written; anything else as its compact JSON text.
    static func argumentText(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return value.jsonString
    }

    static func allowedEnvironment(_ names: [String]) -> [String: String] {
        var environment: [String: String] = [:]
        for name in names {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        return environment
    }

    static func result(of outcome: CommandOutcome, command: PorticoConfiguration.Sources.Command) -> ToolResult {
        let name = command.name
        switch outcome.termination {
        case .timedOut:
            return .error("Tool '\(name)' timed out after \(command.timeoutSeconds) s (timeout_seconds); its process group was killed." + stderrSuffix(outcome))
        case .signalled(let signal):
            return .error("Tool '\(name)' was killed by signal \(signal)." + stderrSuffix(outcome))
        case .exited(let status) where status != 0:
            return .error("Tool '\(name)' exited with status \(status)." + stderrSuffix(outcome))
        case .exited:
            break
        }
        let notice = outcome.stdoutTruncated
            ? "\n[output truncated: \(outcome.totalStdoutBytes) bytes, only the first \(command.maxOutputBytes) kept (max_output_bytes)]"
            : ""
        switch command.output {
        case .text:
            return .text(String(decoding: outcome.stdout, as: UTF8.self) + notice)
        case .json:
            guard !outcome.stdoutTruncated else {
                return .error("Tool '\(name)' printed \(outcome.totalStdoutBytes) bytes of JSON, more than max_output_bytes (\(command.maxOutputBytes)); the output cannot be parsed")
            }
            do {
                let value = try JSONParser.parse(outcome.stdout)
                // structuredContent is an object (2025-06-18 tools §Structured Content); wrap anything else.
                return .structured(value.objectValue != nil ? value : ["result": value])
            } catch {
                return .error("Tool '\(name)' printed output that is not JSON (\(error)): \(String(decoding: outcome.stdout.prefix(200), as: UTF8.self))")
            }
        }
    }

    private static func stderrSuffix(_ outcome: CommandOutcome) -> String {
        outcome.stderrTail.isEmpty ? "" : "\nstderr:\n" + outcome.stderrTail
    }
}

extension JSONValue {
    /// The config's YAML-written JSON as an MCP JSON value (member order kept).
    init(_ value: ConfigJSON) {
        switch value {
        case .null: self = .null
        case .bool(let bool): self = .bool(bool)
        case .integer(let integer): self = .number(JSONNumber(integer))
        case .number(let number): self = .number(JSONNumber(number))
        case .string(let string): self = .string(string)
        case .array(let elements): self = .array(elements.map(JSONValue.init))
        case .object(let members):
            var object = JSONObject()
            for member in members { object[member.key] = JSONValue(member.value) }
            self = .object(object)
        }
    }
}
