import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NginxKit
import PorticoConfig

extension Doctor {
    /// Directives (and `listen` flags) that exist only when nginx was built with a module.
    static let moduleDirectives: [(module: String, directives: Set<String>, label: String)] = [
        ("http_ssl_module", ["ssl_certificate", "ssl_protocols", "ssl_session_cache", "ssl_stapling"], "ssl"),
        ("http_v2_module", ["http2"], "http2"),
        ("http_v3_module", ["http3", "quic_retry", "http3_hq"], "http3"),
        ("http_stub_status_module", ["stub_status"], "stub_status"),
        ("http_realip_module", ["set_real_ip_from", "real_ip_header"], "realip"),
        ("http_auth_request_module", ["auth_request"], "auth_request"),
    ]

    /// `nginx-build`: the installed nginx has every module the live config uses.
    func nginxBuildCheck(_ build: NginxBuild?) -> DoctorCheck {
        let id = "nginx-build"
        guard let controller = target.controller else {
            return .fail(id, "no nginx found: \(target.liveProblem ?? "edge.nginx is not on PATH")", fix: "install nginx (apt-get install -y nginx) or set edge.nginx to its path")
        }
        guard let build else {
            return .fail(id, "`\(controller.binary) -V` could not be read", fix: "check that \(controller.binary) runs: \(controller.binary) -V")
        }
        guard let live = target.live else {
            return .warn(id, "nginx \(build.version); the live config could not be read (\(target.liveProblem ?? "unknown")) to compare modules", fix: "start the stack with portico up, or pass --state-dir where it runs")
        }
        let names = live.directiveNames
        let flags = Set(live.servers.flatMap { live.listeners(of: $0) }.flatMap { listen in
            [listen.ssl ? "ssl" : nil, listen.http2 ? "http2" : nil, listen.quic ? "quic" : nil].compactMap { $0 }
        })
        var used: [String] = []
        var missing: [String] = []
        for entry in Self.moduleDirectives {
            let needed = !entry.directives.isDisjoint(with: names) || flags.contains(entry.label) || (entry.label == "http3" && flags.contains("quic"))
            guard needed else { continue }
            used.append(entry.label)
            if !build.modules.contains(entry.module) { missing.append("\(entry.label) (--with-\(entry.module))") }
        }
        if !missing.isEmpty {
            return .fail(id, "nginx \(build.version) lacks \(missing.joined(separator: ", ")), which the config uses", fix: "install an nginx built with those modules (nginx.org packages), or turn the feature off in edge: and \(applyHint)")
        }
        if build.version < .oldestSupported {
            return .warn(id, "nginx \(build.version) is older than \(NginxVersion.oldestSupported), the oldest Portico renders for", fix: "upgrade nginx")
        }
        let modules = used.isEmpty ? "" : " (\(used.joined(separator: ", ")))"
        if target.configuration.edge.http3, !build.hasHTTP3 {
            return .warn(id, "nginx \(build.version) has every module the config uses\(modules), but edge.http3 is on and this build has no http_v3_module (HTTP/3 left out)",
                         fix: "install nginx ≥ \(NginxVersion.http3) built --with-http_v3_module, or set edge.http3: false")
        }
        return .pass(id, "nginx \(build.version) has every module the config uses\(modules)")
    }

    /// `nginx-config`: `nginx -t` passes on the live config, a master runs, and it serves the
    /// revision the file declares (no pending reload, no hand edits).
    func nginxConfigCheck() -> DoctorCheck {
        let id = "nginx-config"
        guard let controller = target.controller else {
            return .skip(id, "no nginx to test")
        }
        guard target.live != nil else {
            return .fail(id, "no Portico edge config is installed: \(target.liveProblem ?? controller.configPath)",
                         fix: "start the stack with portico up (pass its --state-dir), or install the edge: portico edge apply -c portico.yaml")
        }
        let result: NginxTestResult
        do { result = try controller.test() } catch {
            return .fail(id, "could not run nginx -t: \(error.message)", fix: "check that \(controller.binary) runs")
        }
        if !result.succeeded, geteuid() != 0, Self.deniedAccess(result.output) {
            // An unprivileged nginx -t cannot open the installed config's keys, logs or pid file:
            // that says nothing about the config itself.
            return .warn(id, "nginx -t could not test \(controller.configPath) as uid \(geteuid()) (permission denied): \(result.summary)",
                         fix: "run the doctor as root (sudo portico doctor …) to test the installed config")
        }
        guard result.succeeded else {
            return .fail(id, "nginx -t fails on \(controller.configPath): \(result.summary)", fix: "portico edge diff shows what changed; \(applyHint) to write a fresh config")
        }
        guard let master = controller.masterPID() else {
            return .fail(id, "nginx -t passes but no nginx master runs (no live pid in \(controller.pidFile))", fix: "start the stack: portico up -c portico.yaml (or systemctl start nginx)")
        }
        let text = target.live?.text ?? ""
        let declared = EdgeRenderer.declaredRevision(in: text)
        let served = (try? LoopbackHTTP.request(port: target.statusPort, path: "/_portico/edge-revision", timeoutSeconds: 2))
            .flatMap { $0.status == 200 ? $0.body.trimmingCharacters(in: .whitespacesAndNewlines) : nil }
        if declared == nil {
            return .warn(id, "nginx -t passes (master \(master)); \(controller.configPath) was not rendered by Portico", fix: "portico edge diff shows the difference; \(forcedApplyHint)")
        }
        if !EdgeRenderer.isUnmodified(text) {
            return .warn(id, "nginx -t passes (master \(master)); \(controller.configPath) was edited after Portico rendered it", fix: "portico edge diff shows the edits; \(forcedApplyHint) to go back to the rendered file")
        }
        if let served, served != declared {
            return .warn(id, "nginx -t passes, but nginx serves revision \(served) while the file declares \(declared ?? "-"): a reload is pending or failed", fix: "portico edge apply --reload, and read \(controller.errorLog)")
        }
        return .pass(id, "nginx -t passes on \(controller.configPath); master \(master) serves revision \(declared ?? "-")")
    }

    /// Whether `nginx -t` failed to open something for lack of permission (EACCES).
    static func deniedAccess(_ output: String) -> Bool {
        output.contains("Permission denied") || output.contains("(13:")
    }
}
