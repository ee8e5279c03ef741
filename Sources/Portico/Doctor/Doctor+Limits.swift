import Foundation
import NginxKit
import PorticoConfig

extension Doctor {
    /// The longest a tool may run before it answers, and what sets it.
    var longestToolTimeout: (seconds: Int, source: String)? {
        let configuration = target.configuration
        var candidates: [(Int, String)] = []
        if configuration.limits.callTimeoutSeconds > 0 {
            candidates.append((configuration.limits.callTimeoutSeconds, "limits.call_timeout_seconds"))
        }
        for (index, command) in configuration.sources.commands.enumerated() where command.timeoutSeconds > 0 {
            candidates.append((command.timeoutSeconds, "sources.commands[\(index)].timeout_seconds (\(command.name))"))
        }
        for (index, stdio) in configuration.sources.stdio.enumerated() {
            if let seconds = stdio.callTimeoutSeconds, seconds > 0 {
                candidates.append((seconds, "sources.stdio[\(index)].call_timeout_seconds (\(stdio.name))"))
            }
        }
        return candidates.max { $0.0 < $1.0 }
    }

    /// `read-timeout`: nginx's `proxy_read_timeout` is the longest silence it tolerates from the
    /// app. A JSON reply says nothing until the tool is done, and a quiet stream says something
    /// only every `streams.keepalive_seconds`; either cut short is a 504 or a dropped stream.
    func readTimeoutCheck() -> DoctorCheck {
        let id = "read-timeout"
        guard let live = target.live else { return .skip(id, "the live config could not be read: \(target.liveProblem ?? "unknown")") }
        guard target.location != nil else { return .warn(id, "no location for \(target.path) in the live config", fix: "\(applyHint)") }
        let written = live.effectiveValue("proxy_read_timeout", location: target.location, server: target.server)?.first
        guard let timeout = written.map(NginxTime.seconds) ?? 60 else {
            return .fail(id, "proxy_read_timeout '\(written ?? "")' in \(locationName) is not a valid nginx time", fix: "\(applyHint)")
        }
        let shown = written.map { "proxy_read_timeout \($0)" } ?? "proxy_read_timeout (nginx default 60s)"
        let keepalive = target.configuration.streams.keepaliveSeconds
        let needed = Int((Double(longestToolTimeout?.seconds ?? 0) + keepalive).rounded(.up))
        let fix = "set edge.proxy_timeout_seconds ≥ \(max(needed, 60)) (proxy_read_timeout in the \(locationName) block) and \(applyHint)"
        var problems: [String] = []
        if let (seconds, source) = longestToolTimeout, timeout < Double(seconds) {
            problems.append("\(shown) is shorter than \(source) = \(seconds) s: a silent call ends in 504 from nginx")
        }
        if keepalive > 0, timeout <= keepalive {
            problems.append("\(shown) is not longer than streams.keepalive_seconds = \(Self.seconds(keepalive)) s: quiet streams are cut between keep-alives")
        }
        if !problems.isEmpty { return .fail(id, problems.joined(separator: "; "), fix: fix) }
        if longestToolTimeout == nil {
            return .warn(id, "\(shown), but calls have no time limit (limits.call_timeout_seconds: 0): a call silent for longer ends in 504", fix: "set limits.call_timeout_seconds below \(Int(timeout)) s")
        }
        if keepalive == 0 {
            return .warn(id, "\(shown); streams.keepalive_seconds is 0, so a listen stream quiet for \(Int(timeout)) s is cut", fix: "set streams.keepalive_seconds (e.g. 15)")
        }
        return .pass(id, "\(shown) outlasts the longest tool timeout (\(longestToolTimeout?.seconds ?? 0) s, \(longestToolTimeout?.source ?? "-")) and the \(Self.seconds(keepalive)) s keep-alive")
    }
}

extension Doctor {
    /// `15` rather than `15.0`.
    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))" : "\(value)"
    }
}
