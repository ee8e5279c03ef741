import AsyncHTTPClient
import Foundation
import MCPCore
import NginxKit
import NIOCore
import NIOHTTP1
import PorticoConfig

extension Doctor {
    /// Calls the demo tool `slow_count` through nginx with a progress token and
    /// `Accept-Encoding: gzip` (as browsers and most HTTP stacks send it), timing each event.
    func streamingProbe(_ http: DoctorHTTP) async -> StreamingProbe {
        var probe = StreamingProbe(outcome: .completed, steps: progressSteps, delaySeconds: Double(progressDelayMilliseconds) / 1000)
        guard edgeReachable else {
            probe.outcome = .unreachable(unreachable)
            return probe
        }
        let body = DoctorHTTP.mcpBody(
            method: "tools/call", params: #""name":"slow_count","arguments":{"n":\#(progressSteps),"delay_ms":\#(progressDelayMilliseconds)}"#,
            meta: #""progressToken":"portico-doctor""#)
        let request = http.request(.POST, target.path, headers: http.mcpHeaders(method: "tools/call", name: "slow_count", extra: [("Accept-Encoding", "gzip")]), body: body)
        let clock = ContinuousClock()
        let start = clock.now
        func elapsed() -> Double { (clock.now - start).inSeconds }
        let budget = Double(progressSteps * progressDelayMilliseconds) / 1000 + 15
        do {
            let response = try await http.client.execute(request, timeout: .seconds(Int64(budget)))
            probe.status = Int(response.status.code)
            probe.contentType = response.headers.first(name: "Content-Type") ?? ""
            probe.contentEncoding = response.headers.first(name: "Content-Encoding")
            guard probe.status == 200 else {
                let text = String(buffer: try await response.body.collect(upTo: 1 << 16))
                probe.outcome = .refused(status: probe.status, body: text)
                return probe
            }
            var parser = SSEReader()
            var whole = ""
            for try await chunk in response.body {
                let text = String(buffer: chunk)
                let arrival = elapsed()
                guard probe.contentType.hasPrefix("text/event-stream") else {
                    whole += text
                    continue
                }
                for message in parser.feed(text) {
                    if message.contains(#""notifications/progress""#) {
                        probe.progressArrivals.append(arrival)
                    } else if message.contains(#""result""#) || message.contains(#""error""#) {
                        probe.finished = arrival
                        if message.contains(#""error""#), !message.contains(#""result""#) {
                            probe.outcome = .noTool(Self.errorMessage(in: message))
                        }
                    }
                }
            }
            if !probe.contentType.hasPrefix("text/event-stream") {
                probe.finished = elapsed()
                if whole.contains(#""error""#) { probe.outcome = .noTool(Self.errorMessage(in: whole)) }
            }
        } catch {
            probe.outcome = .unreachable("POST \(target.publicURL) through 127.0.0.1:\(target.port) got no answer: \(Self.describe(error))")
        }
        return probe
    }

    /// The `message` of a JSON-RPC error, for the summary.
    static func errorMessage(in json: String) -> String {
        guard let data = json.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let error = object["error"] as? [String: Any], let message = error["message"] as? String else { return json.prefix(200).description }
        return message
    }

    /// The MCP location's streaming settings in the live config; `nil` when it cannot be read.
    var streamingConfig: StreamingConfig? {
        guard let live = target.live, let location = target.location else { return nil }
        return StreamingConfig(live: live, location: location, server: target.server)
    }

    /// Why the live config cannot be examined (no file, or no location for the path).
    var liveConfigGap: String {
        guard target.live != nil else { return "the live config could not be read (\(target.liveProblem ?? "unknown"))" }
        return "the live config has no location for \(target.path)"
    }

    /// The fix for a location that buffers or compresses event streams.
    var streamingFix: String {
        var changes = ["proxy_buffering off;"]
        if let config = streamingConfig {
            if config.ignoresAccelBuffering { changes.append("no proxy_ignore_headers X-Accel-Buffering;") }
            if config.gzipsEventStreams { changes.append("gzip off;") }
        } else {
            changes.append("gzip off;")
        }
        return "\(changes.joined(separator: " ")) in the \(locationName) block (portico edge apply renders it); \(applyHint)"
    }

    /// `streaming`: progress events must arrive as they happen, not in one burst at the end.
    /// When the probe cannot run (no demo tool, auth or the Host check refused it), the live
    /// config decides.
    func streamingCheck(_ probe: StreamingProbe) -> DoctorCheck {
        let id = "streaming"
        switch probe.outcome {
        case .unreachable(let error):
            return .fail(id, error, fix: "start the stack (portico up -c portico.yaml), or point --url / --state-dir at the running one")
        case .refused(let status, let body):
            guard let reason = refusalReason(status: status, body: body) else {
                return .fail(id, "POST \(target.publicURL) answered \(status): \(body.prefix(160))", fix: "read the app's log and nginx's error log")
            }
            return streamingByConfig(probeProblem: reason.text, probeFix: reason.fix)
        case .noTool(let message):
            return streamingByConfig(probeProblem: "it needs the demo tool slow_count (\(message))",
                                     probeFix: "add demo to tools.packs while diagnosing to measure the event timing")
        case .completed:
            break
        }
        let count = probe.progressArrivals.count
        let config = streamingConfig
        let explanation: String
        if let config, let finding = config.finding {
            explanation = "the live config explains it: \(finding) in \(locationName)"
        } else if let config {
            explanation = "nothing in the live config of \(locationName) explains it (\(config.streamingReason)): check that the app flushes each event"
        } else {
            explanation = "nothing to compare it with: \(liveConfigGap)"
        }
        guard count > 0 else {
            return .fail(id, "slow_count answered (\(probe.contentType)) but no progress event arrived; \(explanation)", fix: streamingFix)
        }
        let spreadMS = Int((probe.spread * 1000).rounded())
        let first = String(format: "%.1f", probe.progressArrivals[0])
        // Unbuffered, the events are one delay apart; a buffering proxy releases them together.
        if probe.spread < probe.expectedSpread * 0.3 {
            return .fail(id, "\(count) progress events arrived within \(spreadMS) ms after \(first) s: the proxy buffers SSE; \(explanation)", fix: streamingFix)
        }
        return .pass(id, "\(count) progress events arrived as they happened, over \(String(format: "%.1f", probe.spread)) s (first after \(first) s)")
    }

    /// `streaming` judged by the live config alone, when the probe could not run.
    func streamingByConfig(probeProblem: String, probeFix: String?) -> DoctorCheck {
        let id = "streaming"
        let notRun = "the probe could not run: \(probeProblem)"
        guard let config = streamingConfig else {
            return .skip(id, "\(notRun); \(liveConfigGap)", fix: probeFix)
        }
        if let finding = config.finding {
            return .fail(id, "by config: \(finding) in \(locationName): progress events arrive together when the reply ends (\(notRun))", fix: streamingFix)
        }
        return .pass(id, "by config: \(config.streamingReason) in \(locationName), so nginx passes events on as they come (\(notRun))")
    }

    /// Why a probe refused before the tool ran is not this check's finding (another check
    /// reports it, or a credential is missing); `nil` for a refusal that is a finding.
    func refusalReason(status: Int, body: String) -> (text: String, fix: String?)? {
        if status == 403, body.contains("is not allowed") {
            return ("the app refused its Host or Origin (see host-allow-list)", nil)
        }
        if status == 401 || status == 403, target.configuration.auth.enabled {
            return (target.token == nil ? "auth is on and no credential was given" : "the credential was refused (\(status))",
                    "pass --token with an API key or access token (or set PORTICO_DOCTOR_TOKEN) to measure the event timing")
        }
        if status == 429 {
            return ("the edge rate-limited it (429)", "run the doctor again in a minute")
        }
        return nil
    }

    /// `gzip-sse`: compression must not apply to event streams. nginx's gzip holds buffered
    /// output until a buffer fills, so events arrive late and together; unbuffered, every event
    /// is compressed on its own, which costs more than it saves.
    func gzipCheck(_ probe: StreamingProbe) -> DoctorCheck {
        let id = "gzip-sse"
        let fix = "gzip off; in the \(locationName) block, or drop text/event-stream from gzip_types (portico edge apply renders gzip off); \(applyHint)"
        var problems: [String] = []
        var examined = false
        if let live = target.live, target.location != nil {
            examined = true
            let gzip = live.effectiveValue("gzip", location: target.location, server: target.server)?.first ?? "off"
            let types = (live.effective("gzip_types", location: target.location, server: target.server) ?? []).flatMap { $0 }
            if gzip == "on", types.contains("text/event-stream") || types.contains("*") {
                problems.append("the live config has gzip on with gzip_types \(types.joined(separator: " ")) for \(locationName)")
            }
        }
        var probed = false
        if case .completed = probe.outcome, probe.contentType.hasPrefix("text/event-stream") {
            probed = true
            if let encoding = probe.contentEncoding, encoding.lowercased().contains("gzip") {
                problems.append("an SSE reply came back with Content-Encoding: \(encoding)")
            }
        }
        if !problems.isEmpty {
            return .fail(id, problems.joined(separator: "; "), fix: fix)
        }
        switch (examined, probed) {
        case (true, true):
            return .pass(id, "an SSE reply to Accept-Encoding: gzip came back uncompressed; gzip is off for \(locationName)")
        case (true, false):
            return .pass(id, "gzip is off for event streams in \(locationName) (no SSE reply to probe: \(Self.probeGap(probe)))")
        case (false, true):
            return .pass(id, "an SSE reply to Accept-Encoding: gzip came back uncompressed (\(liveConfigGap))")
        case (false, false):
            return .skip(id, "\(liveConfigGap), and the probe got no SSE reply (\(Self.probeGap(probe)))")
        }
    }

    /// Why the streaming probe has no SSE reply to show.
    static func probeGap(_ probe: StreamingProbe) -> String {
        switch probe.outcome {
        case .unreachable: "the edge is unreachable, see streaming"
        case .refused(let status, _): "it was refused with \(status)"
        case .noTool: "no slow_count tool"
        case .completed: "the reply was \(probe.contentType.isEmpty ? "untyped" : probe.contentType), not an event stream"
        }
    }
}
