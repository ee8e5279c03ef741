import Foundation
import NginxKit
import PorticoConfig

extension Doctor {
    /// The loopback port of the app's metrics listener; `nil` when it is off or on a port
    /// chosen at start (`metrics.port: 0`), which the doctor cannot know.
    var metricsPort: Int? {
        let metrics = target.configuration.metrics
        return metrics.enabled && metrics.port > 0 ? metrics.port : nil
    }

    /// `fd-limit`: every proxied stream holds two connections in nginx (client and upstream)
    /// and one in the app; the configured stream caps must fit the descriptor limits.
    func fileDescriptorCheck() -> DoctorCheck {
        let id = "fd-limit"
        let configuration = target.configuration
        let streams = configuration.limits.maxSessions + configuration.streams.maxListeners
        var findings: [String] = []
        var failures: [String] = []
        var warnings: [String] = []
        var fixes: [String] = []

        if let live = target.live {
            // worker_connections is per worker and counts every connection a worker holds,
            // upstream ones included: a proxied stream takes two of them (nginx docs).
            let connections = live.eventsArguments("worker_connections")?.first.flatMap { Int($0) } ?? 512
            let active = target.controller?.activeWorkers() ?? []
            let workerCount = active.isEmpty ? Self.configuredWorkers(live) : active.count
            let workerLimit = active.compactMap { ProcessLimits.openFileLimit(pid: $0) }.min()
                ?? live.mainArguments("worker_rlimit_nofile")?.first.flatMap { Int($0) }
            let capacity = workerCount * connections
            findings.append("nginx: \(workerCount) worker\(workerCount == 1 ? "" : "s") × worker_connections \(connections)" + (workerLimit.map { ", workers may open \($0) files" } ?? ""))
            if let workerLimit, workerLimit < connections {
                failures.append("nginx workers may open \(workerLimit) files but accept \(connections) connections each: they hit \"Too many open files\" first")
                fixes.append("raise worker_rlimit_nofile to ≥ \(2 * connections) (systemd LimitNOFILE= for a system nginx)")
            } else if let workerLimit, workerLimit < 2 * connections {
                warnings.append("nginx workers may open \(workerLimit) files, less than 2 × worker_connections (\(2 * connections)): little room for logs, temp files and listeners beside a full connection table")
                fixes.append("raise worker_rlimit_nofile to ≥ \(2 * connections) (systemd LimitNOFILE= for a system nginx)")
            }
            if capacity < 2 * streams {
                warnings.append("\(streams) streams (limits.max_sessions + streams.max_listeners) need \(2 * streams) nginx connections, \(workerCount) worker\(workerCount == 1 ? "" : "s") × worker_connections \(connections) give \(capacity)")
                fixes.append("raise the open-file limit (ulimit -n / LimitNOFILE=) so edge.worker_connections can grow, or lower limits.max_sessions and streams.max_listeners")
            }
        }

        var appLimit: Int?
        var appOpen: Int?
        var source = ""
        // The process on the app's port is exactly this stack's app; the metrics port is a
        // default that another stack on the box may hold, so it comes second.
        if let app = target.appAddress, let pid = ProcessLimits.listener(port: app.port) {
            appLimit = ProcessLimits.openFileLimit(pid: pid)
            appOpen = ProcessLimits.openFiles(pid: pid)
            source = "/proc/\(pid)"
        }
        if appLimit == nil, let port = metricsPort,
           let page = try? LoopbackHTTP.request(port: port, path: "/metrics", timeoutSeconds: 2), page.status == 200 {
            let samples = MetricSamples(text: page.body)
            appLimit = samples.value("process_max_fds").map { Int($0) }
            appOpen = samples.value("process_open_fds").map { Int($0) }
            source = "metrics on 127.0.0.1:\(port)"
        }
        if let appLimit {
            findings.append("app: \(appOpen.map { "\($0) of " } ?? "")\(appLimit) files open (\(source))")
            if appLimit < streams {
                warnings.append("the app may open \(appLimit) files but allows \(streams) streams")
                fixes.append("raise the app's open-file limit (ulimit -n / LimitNOFILE=) above \(streams + 1024), or lower the stream caps")
            }
        } else {
            let metrics = metricsPort.map { "its metrics listener on 127.0.0.1:\($0) did not answer" } ?? "metrics are off (or on a port picked at start)"
            warnings.append("the app's open-file limit is unknown: no process was found on its port and \(metrics)")
            fixes.append(metricsPort == nil ? "set metrics.enabled: true and a fixed metrics.port so process_max_fds can be read" : "check that the app runs (portico up) and serves /metrics on 127.0.0.1:\(metricsPort ?? 0)")
        }

        let summary = (failures + warnings + findings).joined(separator: "; ")
        if !failures.isEmpty { return .fail(id, summary, fix: fixes.joined(separator: "; ")) }
        if !warnings.isEmpty { return .warn(id, summary, fix: fixes.joined(separator: "; ")) }
        return .pass(id, findings.joined(separator: "; ") + "; enough for \(streams) streams")
    }

    /// Workers the config starts: `worker_processes` (default 1; `auto` is one per CPU).
    static func configuredWorkers(_ live: NginxLiveConfig) -> Int {
        guard let value = live.mainArguments("worker_processes")?.first else { return 1 }
        if value == "auto" { return ProcessInfo.processInfo.activeProcessorCount }
        return max(Int(value) ?? 1, 1)
    }
}
