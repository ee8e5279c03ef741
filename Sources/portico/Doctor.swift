import ArgumentParser
import Foundation
import Portico
import PorticoConfig

struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a running stack end to end and say how to fix what is wrong.",
        discussion: """
            Finds the nginx of `portico up` under --state-dir (else the system nginx with
            edge.target), reads the configuration it runs and probes through it on 127.0.0.1
            with the public Host header: nginx build and `nginx -t`, streaming of progress
            events, proxy_read_timeout, gzip on event streams, HTTP/2, the certificate, the
            protected-resource metadata, the Host allow-list, descriptor limits, and the
            issuers' keys and clocks.

            Exit status 1 when a check fails; warnings alone exit 0.

            Examples:
              portico doctor -c portico.yaml
              portico doctor -c portico.yaml --url https://mcp.example.com/mcp --json
              PORTICO_DOCTOR_TOKEN=pk_… portico doctor -c portico.yaml   # with auth on
            """)

    @Option(name: .shortAndLong, help: "Path of the YAML config file the stack runs with (defaults apply when omitted).")
    var config: String?

    @Option(help: "The state directory of `portico up` (its nginx prefix is <dir>/nginx).")
    var stateDir = ".portico"

    @Option(help: "The public MCP URL clients use (default: server.public_url, else https://<edge.server_names[0]>:<https port><server.path>).")
    var url: String?

    @Option(help: "A credential (API key or access token) for the probes when auth is on; PORTICO_DOCTOR_TOKEN works too and stays out of `ps`.")
    var token: String?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() async throws {
        let configuration = try loadConfiguration(config)
        let issues = configuration.validate()
        guard issues.isEmpty else { throw ValidationError(issues.map { $0.formatted(source: config ?? "defaults") }.joined(separator: "\n")) }
        let credential = token ?? ProcessInfo.processInfo.environment["PORTICO_DOCTOR_TOKEN"]
        let target = DoctorTarget.resolve(configuration: configuration, stateDirectory: stateDir, url: url, token: credential)
        let report = await Portico.Doctor(target: target).run()
        StandardStreams.writeOutput(json ? report.json : report.text)
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}
