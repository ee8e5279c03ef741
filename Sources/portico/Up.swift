import ArgumentParser
import Foundation
import Logging
import NginxKit
import Portico
import PorticoConfig

struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the whole stack: the app on loopback plus a managed nginx in front of it.",
        discussion: """
            nginx runs as a supervised child from a prefix under --state-dir (restarted if it
            dies). Without edge.tls.certificate a development certificate for localhost is made
            there. SIGHUP re-reads the config, re-renders and reloads nginx (verified, rolled back
            on failure); SIGTERM or SIGINT drains the app's streams, then stops nginx gracefully.

            Prints `listening <app url>` and then `edge <public url>` once nginx serves.

            Examples:
              portico up                       # https://localhost:8443/mcp, http on 8080
              portico up -c portico.yaml --https-port 9443 --address 127.0.0.1
            """)

    @Option(name: .shortAndLong, help: "Path of the YAML config file (defaults apply when omitted).")
    var config: String?

    @Option(help: "Directory for nginx's prefix, logs and the development certificate.")
    var stateDir = ".portico"

    @Option(help: "HTTPS port of the edge (overrides edge.https_port).")
    var httpsPort = 8443

    @Option(help: "Plain-HTTP port of the edge (overrides edge.http_port; 0 for none).")
    var httpPort = 8080

    @Option(help: "Loopback port of nginx's status listener (overrides edge.status_port).")
    var statusPort = 8081

    @Option(help: "Address the edge binds (overrides edge.address; default: every interface).")
    var address: String?

    @Option(help: "Loopback port of the app behind nginx (0 picks a free one).")
    var appPort = 0

    @Option(help: "Port of the /metrics listener (overrides metrics.port; 0 picks a free one).")
    var metricsPort: Int?

    @Option(help: "Log level; overrides logging.level.")
    var logLevel: String?

    @Flag(help: "Fail when a requested edge feature is not available in this nginx build.")
    var strict = false

    func run() async throws {
        var configuration = stackConfiguration(try loadConfiguration(config))
        let issues = configuration.validate()
        guard issues.isEmpty else { throw ValidationError(issues.map { $0.formatted(source: config ?? "command line") }.joined(separator: "\n")) }
        let logger = bootstrapLogging(configuration, level: logLevel)
        let state = URL(fileURLWithPath: stateDir).standardizedFileURL.path
        let layout = EdgeLayout.prefix(state + "/nginx")
        let controller = try NginxController(binary: configuration.edge.nginx, layout: layout, target: "")
        let build = try controller.build()
        let certificate = configuration.edge.tls.certificate == nil
            ? try DevelopmentCertificate.ensure(in: state + "/tls", names: configuration.edge.serverNames.filter { $0 != "_" })
            : nil
        configuration.server.allowedHosts += Self.publicHosts(configuration.edge, httpsPort: httpsPort)
        let options = (config: config, strict: strict, stack: self)
        let loaded = configuration
        let planner: NginxSupervisor.Planner = { appPort, reload in
            // SIGHUP re-reads and re-validates the file; the first render uses the one already loaded.
            var current = loaded
            if reload {
                current = options.stack.stackConfiguration(try loadConfiguration(options.config))
                let issues = current.validate()
                guard issues.isEmpty else { throw EdgeError(issues.map { $0.formatted(source: options.config ?? "defaults") }.joined(separator: "\n")) }
            }
            let preflight = EdgePreflight.check(current.edge, certificate: certificate?.certificate)
            guard preflight.errors.isEmpty else { throw EdgeError(preflight.errors.joined(separator: "\n")) }
            let plan = try EdgeRenderer(
                configuration: current, build: build, layout: layout, upstream: "127.0.0.1:\(appPort)",
                fallbackCertificate: certificate, fileDescriptorLimit: openFileLimit(),
                generator: "Portico \(PorticoServer.version)", workerAccount: EdgeOptions.workerAccount(for: layout)
            ).render(strict: options.strict)
            for warning in preflight.warnings + plan.warnings { logger.warning("edge: \(warning)") }
            return plan
        }
        let appPort = AppPort()
        let supervisor = NginxSupervisor(
            controller: controller, statusPort: configuration.edge.statusPort, probeHost: "127.0.0.1",
            appPort: appPort, logger: logger, planner: planner
        ) { plan in
            StandardStreams.writeOutput("edge \(plan.endpoints.publicURL)\n")
            logger.info("edge is serving", metadata: ["url": "\(plan.endpoints.publicURL)", "revision": "\(plan.revision)", "nginx": "\(build.version)"])
        }
        let portico = try PorticoServer(configuration: configuration, baseDirectory: configurationDirectory(config), logger: logger)
        try await portico.run(services: [supervisor], appPort: appPort) { url in
            StandardStreams.writeOutput("listening \(url)\n")
        }
    }

    /// The stack's shape: the app on loopback behind nginx, the edge on this command's ports.
    func stackConfiguration(_ loaded: PorticoConfiguration) -> PorticoConfiguration {
        var configuration = loaded
        configuration.server.host = "127.0.0.1"
        configuration.server.port = appPort
        configuration.edge.httpsPort = httpsPort
        configuration.edge.httpPort = httpPort
        configuration.edge.statusPort = statusPort
        if configuration.metrics.nginxStatusURL == nil {
            configuration.metrics.nginxStatusURL = "http://127.0.0.1:\(statusPort)/nginx_status"
        }
        if let metricsPort { configuration.metrics.port = metricsPort }
        if let level = logLevel.flatMap(PorticoConfiguration.LogLevel.init(rawValue:)) { configuration.logging.level = level }
        if let address { configuration.edge.address = address }
        return configuration
    }

    /// Host headers the app must accept when reached through the edge under a public name.
    static func publicHosts(_ edge: PorticoConfiguration.Edge, httpsPort: Int) -> [String] {
        edge.serverNames.filter { $0 != "_" && $0 != "localhost" && !$0.hasPrefix("*") && !$0.hasPrefix("~") }
            .flatMap { [$0, "\($0):\(httpsPort)"] }
    }
}
