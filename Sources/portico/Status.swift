import ArgumentParser
import Foundation
import MCPCore
import NginxKit
import Portico
import PorticoConfig

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a running Portico's traffic and state, refreshed every second.",
        discussion: """
            Reads the metrics listener (metrics.port of the config, default 9464) twice per
            refresh and shows the difference: tool calls per second, p50/p99 tool latency,
            errors, open streams, sessions, stdio children and nginx's connection states.

            Examples:
              portico status                      # live view until Ctrl-C
              portico status --once               # one line of figures over one second, for scripts
              portico status --once --json        # the same as a JSON object
            """)

    @Option(name: .shortAndLong, help: "Path of the YAML config file (for metrics.port).")
    var config: String?

    @Option(help: "Port of the metrics listener on 127.0.0.1 (overrides metrics.port).")
    var metricsPort: Int?

    @Option(help: "Seconds between refreshes.")
    var interval: Double = 1

    @Option(help: "Stop after this many refreshes (default: until interrupted; 1 with --once).")
    var count: Int?

    @Flag(help: "Print one refresh and exit.")
    var once = false

    @Flag(help: "Print JSON objects, one per line, instead of the table.")
    var json = false

    func validate() throws {
        guard interval >= 0.1, interval <= 60 else { throw ValidationError("--interval must be between 0.1 and 60 seconds") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
    }

    func run() async throws {
        let port = try metricsPort ?? Self.configuredPort(loadConfiguration(config).metrics)
        let refreshes = once ? 1 : count ?? Int.max
        var earlier = try scrape(port: port)
        var taken = ContinuousClock.now
        for _ in 0..<refreshes {
            try await Task.sleep(for: .milliseconds(Int(interval * 1_000)))
            let later = try scrape(port: port)
            let now = ContinuousClock.now
            let elapsed = now - taken
            let figures = StatusFigures(from: earlier, to: later, seconds: elapsed.inSeconds)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                StandardStreams.writeOutput(String(decoding: try encoder.encode(figures), as: UTF8.self) + "\n")
            } else {
                // The live view redraws in place; --once and --count print plain lines.
                let clear = once || count != nil ? "" : "\u{1B}[H\u{1B}[2J"
                StandardStreams.writeOutput(clear + Self.table(figures, port: port))
            }
            (earlier, taken) = (later, now)
        }
    }

    /// The port to read from the config's `metrics:`; it must name a fixed port on an address
    /// 127.0.0.1 reaches.
    static func configuredPort(_ metrics: PorticoConfiguration.Metrics) throws -> Int {
        guard metrics.enabled else { throw ValidationError("metrics.enabled is false in the config: there is nothing to read") }
        guard metrics.port != 0 else {
            throw ValidationError("metrics.port is 0 (a free port picked at start): pass the port the server logged with --metrics-port")
        }
        guard ["127.0.0.1", "0.0.0.0", "localhost", "::"].contains(metrics.host) else {
            throw ValidationError("portico status reads 127.0.0.1; metrics.host is \(metrics.host): reach it through a loopback address or --metrics-port")
        }
        return metrics.port
    }

    func scrape(port: Int) throws -> MetricSamples {
        do {
            let response = try LoopbackHTTP.request(port: port, path: "/metrics", timeoutSeconds: 2)
            guard response.status == 200 else { throw ValidationError("127.0.0.1:\(port)/metrics answered \(response.status)") }
            return MetricSamples(text: response.body)
        } catch let error as EdgeError {
            throw ValidationError("cannot read metrics: \(error.description). Is Portico running with metrics.enabled, on port \(port)? (--metrics-port)")
        }
    }

    static func table(_ figures: StatusFigures, port: Int) -> String {
        func number(_ value: Double) -> String { String(format: value < 10 ? "%.1f" : "%.0f", value) }
        func milliseconds(_ value: Double?) -> String { value.map { String(format: "%.1f ms", $0) } ?? "-" }
        func list(_ values: [String: Int]) -> String {
            values.isEmpty ? "none" : values.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        var lines = [
            "portico status  (127.0.0.1:\(port)/metrics)",
            "calls     \(number(figures.callsPerSecond))/s tools/call   \(number(figures.requestsPerSecond))/s all requests",
            "latency   p50 \(milliseconds(figures.p50Milliseconds))   p99 \(milliseconds(figures.p99Milliseconds))",
            "errors    \(number(figures.errorsPerSecond))/s",
            "streams   \(list(figures.openStreams))",
            "sessions  \(figures.sessions)   listen \(figures.listenSubscribers)",
        ]
        if !figures.children.isEmpty {
            lines.append("children  " + figures.children.keys.sorted().map { "\($0) \(figures.childrenUp[$0] ?? 0)/\(figures.children[$0] ?? 0) up" }.joined(separator: ", "))
        }
        switch figures.nginxUp {
        case true?: lines.append("nginx     " + ["active", "reading", "writing", "waiting"].map { "\($0) \(figures.nginx[$0] ?? 0)" }.joined(separator: "  "))
        case false?: lines.append("nginx     stub_status does not answer")
        case nil: break
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
