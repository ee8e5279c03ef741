import ArgumentParser
import Foundation
import NginxKit
import Portico
import PorticoConfig

/// Options every `portico edge` command shares: which config, which nginx, where it goes.
struct EdgeOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Path of the YAML config file (defaults apply when omitted).")
    var config: String?

    @Option(help: "A self-contained nginx prefix directory (nginx.conf, logs, pid) instead of edge.target in the system nginx.")
    var prefix: String?

    @Option(help: "The app's address as nginx reaches it (host:port); default: server.host and server.port.")
    var upstream: String?

    @Option(name: .customLong("nginx-v"), help: "Render for a recorded `nginx -V` output (a file) instead of the installed nginx.")
    var nginxVersionFile: String?

    @Flag(help: "Fail when a requested feature is not available in this nginx build, instead of warning.")
    var strict = false

    func loadConfiguration() throws -> PorticoConfiguration {
        let configuration = try portico.loadConfiguration(config)
        let issues = configuration.validate()
        guard issues.isEmpty else { throw ValidationError(issues.map { $0.formatted(source: config ?? "defaults") }.joined(separator: "\n")) }
        return configuration
    }

    var layout: EdgeLayout {
        guard let prefix else { return .systemInclude }
        return .prefix(URL(fileURLWithPath: prefix).standardizedFileURL.path)
    }

    func controller(_ configuration: PorticoConfiguration) throws -> NginxController {
        try NginxController(binary: configuration.edge.nginx, layout: layout, target: configuration.edge.target)
    }

    func build(_ configuration: PorticoConfiguration) throws -> NginxBuild {
        if let nginxVersionFile {
            return try NginxBuild(versionOutput: String(contentsOfFile: nginxVersionFile, encoding: .utf8))
        }
        return try controller(configuration).build()
    }

    /// Renders after the preflight; prints warnings to standard error.
    func plan(_ configuration: PorticoConfiguration, layout: EdgeLayout? = nil) throws -> EdgePlan {
        let preflight = EdgePreflight.check(configuration.edge)
        guard preflight.errors.isEmpty else { throw ValidationError(preflight.errors.joined(separator: "\n")) }
        let renderer = EdgeRenderer(
            configuration: configuration, build: try build(configuration), layout: layout ?? self.layout,
            upstream: upstream ?? Self.upstream(for: configuration.server),
            fileDescriptorLimit: nginxVersionFile == nil ? openFileLimit() : nil,
            generator: "Portico \(PorticoServer.version)",
            workerAccount: Self.workerAccount(for: layout ?? self.layout))
        let plan = try renderer.render(strict: strict)
        for warning in preflight.warnings + plan.warnings {
            StandardStreams.writeError("warning: \(warning)\n")
        }
        return plan
    }

    static func workerAccount(for layout: EdgeLayout) -> WorkerAccount? {
        guard case .prefix(let prefix) = layout else { return nil }
        return WorkerAccount.choose(prefix: prefix)
    }

    static func upstream(for server: PorticoConfiguration.Server) -> String {
        switch server.host {
        case "0.0.0.0", "": "127.0.0.1:\(server.port)"
        case "::": "[::1]:\(server.port)"
        case let host where host.contains(":"): "[\(host)]:\(server.port)"
        case let host: "\(host):\(server.port)"
        }
    }
}

/// The hard open-file limit nginx's master can raise its workers to.
func openFileLimit() -> Int? {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_max != rlim_t.max else { return nil }
    return Int(limit.rlim_max)
}
