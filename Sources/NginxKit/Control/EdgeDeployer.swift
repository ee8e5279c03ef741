import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Applies a rendered plan the way an operator should but rarely does: check, write atomically,
/// reload, then prove the new file is live before keeping it, else put the old one back.
///
/// `nginx -s reload` exits 0 even when the new file cannot bind its port; the master then keeps
/// the old configuration and logs `[emerg] bind() … failed` (nginx notes §3.3). So success is
/// judged by what nginx serves: the status listener's revision marker must equal the plan's,
/// new workers must exist, the error log must have no new `[emerg]`, and a probe through nginx
/// must reach the app.
public struct EdgeDeployer: Sendable {
    public var controller: NginxController
    /// Seconds to wait for the new revision to be served.
    public var verifyTimeoutSeconds: Double
    /// Host header for the probe through nginx (the app checks it).
    public var probeHost: String
    /// Whether the app must answer the probe.
    public var probe: Bool

    public init(controller: NginxController, verifyTimeoutSeconds: Double = 10, probeHost: String = "127.0.0.1", probe: Bool = true) {
        self.controller = controller
        self.verifyTimeoutSeconds = verifyTimeoutSeconds
        self.probeHost = probeHost
        self.probe = probe
    }

    public struct Report: Sendable {
        public enum Action: String, Sendable { case started, reloaded, unchanged }
        public var action: Action
        public var revision: String
        public var workers: Int
    }

    /// Why a file we are about to overwrite is not ours to overwrite, or `nil`.
    public static func foreignEdits(in text: String) -> String? {
        if EdgeRenderer.isUnmodified(text) { return nil }
        if text.contains("managed by Certbot") {
            return "it was edited by certbot (lines marked '# managed by Certbot'); use `certbot certonly --webroot` (see `portico edge certbot`) and re-apply with --force"
        }
        if EdgeRenderer.declaredRevision(in: text) != nil {
            return "it was edited by hand since Portico wrote it; move the change into portico.yaml, check `portico edge diff`, and re-apply with --force"
        }
        return "Portico did not write it; re-apply with --force to replace it"
    }

    /// Writes, checks, reloads (or starts) and verifies; restores the previous file on any failure.
    /// - Parameter reload: reload even when the file is unchanged (a renewed certificate at the
    ///   same path, as certbot's deploy hook needs).
    /// - Parameter start: start nginx when it is not running; a supervisor that restarts its own
    ///   child passes `false`.
    public func apply(_ plan: EdgePlan, port statusPort: Int, force: Bool = false, reload: Bool = false, start: Bool = true) throws(EdgeError) -> Report {
        let path = controller.configPath
        let previous = try? String(contentsOfFile: path, encoding: .utf8)
        if let previous, !force, let problem = Self.foreignEdits(in: previous) {
            throw EdgeError("refusing to overwrite \(path): \(problem)")
        }
        try prepareDirectories()
        let running = controller.masterPID() != nil
        guard running || start else { throw EdgeError("nginx is not running (no live pid in \(controller.pidFile)); nothing was changed") }
        if running, !reload, previous == plan.text, (try? revision(port: statusPort)) == plan.revision {
            return Report(action: .unchanged, revision: plan.revision, workers: controller.activeWorkers().count)
        }
        try write(plan.text, to: path)
        let test = try controller.test()
        guard test.succeeded else {
            restore(previous, to: path)
            throw EdgeError("nginx -t rejected the new configuration; nothing changed:\n\(test.summary)")
        }
        let offset = controller.errorLogOffset()
        let oldWorkers = controller.activeWorkers()
        do {
            if running { try controller.signal(SIGHUP) } else { try controller.start() }
            try verify(plan, statusPort: statusPort, since: offset, oldWorkers: running ? oldWorkers : [])
        } catch {
            restore(previous, to: path)
            // Reload even when there was no previous file: the rejected one must not stay live.
            // A master this apply started goes away again.
            if running { try? controller.signal(SIGHUP) } else { try? controller.signal(SIGQUIT) }
            let kept = running
                ? (previous == nil ? "nginx reloaded without it (removed \(path))" : "nginx keeps serving the previous configuration (restored \(path))")
                : "the nginx this apply started was stopped"
            throw EdgeError("the new configuration did not go live; \(kept):\n\(error.message)")
        }
        return Report(action: running ? .reloaded : .started, revision: plan.revision, workers: controller.activeWorkers().count)
    }

    /// Polls until the status listener serves `plan.revision`, failing early on a new `[emerg]`.
    public func verify(_ plan: EdgePlan, statusPort: Int, since offset: UInt64, oldWorkers: Set<pid_t>) throws(EdgeError) {
        let deadline = Date().addingTimeInterval(verifyTimeoutSeconds)
        var lastProblem = "the status listener on 127.0.0.1:\(statusPort) never served revision \(plan.revision)"
        while true {
            let failures = controller.failures(since: offset)
            if let failure = failures.first(where: { $0.level == .emerg }) ?? failures.first {
                throw EdgeError("nginx logged: \(failure)")
            }
            if let served = try? revision(port: statusPort) {
                if served == plan.revision {
                    let workers = controller.activeWorkers()
                    if workers.isEmpty || !workers.isDisjoint(with: oldWorkers) {
                        lastProblem = "new workers did not start"
                    } else {
                        break
                    }
                } else {
                    lastProblem = "nginx still serves revision \(served), not \(plan.revision)"
                }
            }
            guard Date() < deadline else { throw EdgeError(lastProblem + " within \(Int(verifyTimeoutSeconds)) s") }
            usleep(50_000)
        }
        if probe { try probeApp(statusPort: statusPort) }
    }

    func revision(port: Int) throws(EdgeError) -> String {
        let response = try LoopbackHTTP.request(port: port, path: "/_portico/edge-revision", timeoutSeconds: 2)
        guard response.status == 200 else { throw EdgeError("revision marker answered \(response.status)") }
        return response.body.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `server/discover` (2026-07-28) through nginx's probe route to the app.
    public func probeApp(statusPort: Int) throws(EdgeError) {
        let body = #"{"jsonrpc":"2.0","id":"portico-edge-probe","method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#
        let response = try LoopbackHTTP.request(
            port: statusPort, method: "POST", path: "/_portico/probe", host: probeHost,
            headers: [
                ("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream"),
                ("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "server/discover"),
            ],
            body: body, timeoutSeconds: 10)
        // With auth on, the app's own 401 (its JSON-RPC body says so) proves it answered.
        let answered = response.status == 200 && response.body.contains("\"result\"")
            || response.status == 401 && response.body.contains("Unauthorized")
        guard answered else {
            let detail = response.status == 502 || response.status == 504
                ? "nginx could not reach the app (\(response.status)); is `portico serve` running at the upstream address?"
                : "the app answered \(response.status): \(response.body.prefix(300))"
            throw EdgeError("probe through nginx failed: \(detail)")
        }
    }

    func prepareDirectories() throws(EdgeError) {
        guard case .prefix(let prefix) = controller.layout else { return }
        try Self.preparePrefix(prefix)
    }

    /// Creates a prefix's directories and hands the ones workers write to the worker account.
    public static func preparePrefix(_ prefix: String) throws(EdgeError) {
        let writable = [prefix + "/tmp", prefix + "/cache", prefix + "/auth-cache"]
        do {
            for directory in [prefix + "/logs"] + writable {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
        } catch {
            throw EdgeError("could not create nginx directories under \(prefix): \(error)")
        }
        WorkerAccount.choose(prefix: prefix)?.own(writable)
    }

    /// Writes next to the target and renames over it, so nginx never reads half a file.
    func write(_ text: String, to path: String) throws(EdgeError) {
        let temporary = path + ".portico-new"
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: temporary, atomically: false, encoding: .utf8)
        } catch {
            throw EdgeError("could not write \(temporary): \(error)")
        }
        guard rename(temporary, path) == 0 else {
            throw EdgeError("could not move \(temporary) over \(path): \(String(cString: strerror(errno)))")
        }
    }

    func restore(_ previous: String?, to path: String) {
        if let previous {
            try? write(previous, to: path)
        } else {
            unlink(path)
        }
    }
}
