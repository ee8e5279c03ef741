import ArgumentParser
import Logging
import Portico
import PorticoConfig

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve MCP over Streamable HTTP.",
        discussion: """
            Prints one line, `listening <url>`, on standard output once the socket accepts
            connections; logs go to standard error. SIGTERM or SIGINT drains and stops.

            Examples:
              portico serve --port 8080
              portico serve --config /etc/portico/portico.yaml
            """)

    @Option(name: .shortAndLong, help: "Path of the YAML config file (defaults apply when omitted).")
    var config: String?

    @Option(help: "Listen address; overrides server.host.")
    var host: String?

    @Option(help: "Listen port (0 picks a free one); overrides server.port.")
    var port: Int?

    @Option(help: "Port of the /metrics listener (overrides metrics.port; 0 picks a free one).")
    var metricsPort: Int?

    @Option(help: "Serve a test fixture instead of the configured tool packs. Values: conformance.")
    var fixture: Fixture?

    @Option(help: "Log level; overrides logging.level. Values: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    enum Fixture: String, ExpressibleByArgument { case conformance }

    func run() async throws {
        var configuration = try loadConfiguration(config)
        if let host { configuration.server.host = host }
        if let port { configuration.server.port = port }
        if let metricsPort { configuration.metrics.port = metricsPort }
        if let level = logLevel.flatMap(PorticoConfiguration.LogLevel.init(rawValue:)) { configuration.logging.level = level }
        let issues = configuration.validate()
        guard issues.isEmpty else {
            throw ValidationError(issues.map { $0.formatted(source: "command line") }.joined(separator: "\n"))
        }
        let logger = bootstrapLogging(configuration, level: logLevel)
        let packs: [PorticoConfiguration.ToolPack]? = fixture == .conformance ? [.conformance] : nil
        let portico = try PorticoServer(configuration: configuration, packs: packs, baseDirectory: configurationDirectory(config), logger: logger)
        try await portico.run { url in
            StandardStreams.writeOutput("listening \(url)\n")
            logger.info("Portico is serving MCP", metadata: ["url": "\(url)"])
        }
    }
}

func loadConfiguration(_ path: String?) throws -> PorticoConfiguration {
    guard let path else { return PorticoConfiguration() }
    do {
        return try PorticoConfiguration.load(contentsOf: path)
    } catch let error as ConfigError {
        throw ValidationError(error.description)
    }
}

/// The folder relative paths in the config start from: the config file's, or the working directory.
func configurationDirectory(_ path: String?) -> String {
    guard let path, let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}

/// Installs the log handler the config asks for and returns the root logger.
func bootstrapLogging(_ configuration: PorticoConfiguration, level override: String?) -> Logger {
    let level = Logger.Level(rawValue: override ?? configuration.logging.level.rawValue) ?? .info
    let format = configuration.logging.format
    LoggingSystem.bootstrap { label in
        var handler: any LogHandler = format == .json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
    return Logger(label: "portico")
}
