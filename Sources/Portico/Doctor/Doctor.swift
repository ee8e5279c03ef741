import Foundation
import NginxKit
import PorticoConfig

/// `portico doctor`: checks a running stack end to end — the nginx build and config, what
/// actually comes through the proxy (streaming, compression, TLS, metadata, Host checks) and
/// the limits around it — and says how to fix each problem.
///
/// Every probe goes to 127.0.0.1 with the public Host header, so the doctor tests the path a
/// client takes through nginx without leaving the machine. Checks that depend on a probe that
/// could not run are skipped with the reason, so one fault is reported once, where it is.
public struct Doctor: Sendable {
    public var target: DoctorTarget
    /// Arguments of the streaming probe: enough steps, far enough apart, that buffering shows.
    var progressSteps = 10
    var progressDelayMilliseconds = 200
    /// Whether the edge's local port accepts connections; probes are not tried when not.
    var edgeReachable = true

    public init(target: DoctorTarget) {
        self.target = target
    }

    /// Runs every check in the documented order.
    public func run() async -> DoctorReport {
        var doctor = self
        doctor.edgeReachable = LoopbackHTTP.accepts(port: target.port)
        return await doctor.runChecks()
    }

    func runChecks() async -> DoctorReport {
        var checks: [DoctorCheck] = []
        let build = try? target.controller?.build()
        checks.append(nginxBuildCheck(build))
        checks.append(nginxConfigCheck())
        let http = DoctorHTTP(target: target)
        let probe = await streamingProbe(http)
        checks.append(streamingCheck(probe))
        checks.append(readTimeoutCheck())
        checks.append(gzipCheck(probe))
        var handshake: Result<TLSHandshake, any Error>?
        if target.secure, edgeReachable {
            do { handshake = .success(try await TLSProbe.handshake(port: target.port, serverName: target.host)) } catch { handshake = .failure(error) }
        }
        checks.append(http2Check(handshake))
        checks.append(certificateCheck(handshake))
        checks.append(await protectedResourceCheck(http))
        checks.append(await hostAllowListCheck(http))
        checks.append(fileDescriptorCheck())
        await http.shutdown()
        checks += await issuerChecks()
        return DoctorReport(checks: checks)
    }

    /// The finding for probes when nothing listens on the edge's port.
    var unreachable: String {
        "nothing accepts connections on 127.0.0.1:\(target.port), the edge's port for \(target.publicURL)"
    }

    /// An error as one short line: NIO's connection errors are long and nested.
    static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        if text.contains("Connection refused") { return "connection refused" }
        if text.lowercased().contains("deadline") || text.lowercased().contains("timeout") || text.lowercased().contains("timed out") { return "timed out" }
        return String(text.prefix(200))
    }

    /// Where the MCP location is, for fixes that name it.
    var locationName: String {
        guard let location = target.location else { return "location \(target.path)" }
        return "location " + location.args.joined(separator: " ")
    }

    /// How the rendered config goes live: `portico up` re-renders and reloads on SIGHUP
    /// (overwriting hand edits); a system nginx is updated with `edge apply`.
    var applyHint: String {
        if case .prefix = target.controller?.layout { return "send portico up SIGHUP (it re-renders and reloads) or restart it" }
        return "run portico edge apply"
    }

    /// `applyHint` when the file was edited by hand, which `edge apply` refuses without `--force`.
    var forcedApplyHint: String {
        if case .prefix = target.controller?.layout { return applyHint }
        return "run portico edge apply --force"
    }
}
