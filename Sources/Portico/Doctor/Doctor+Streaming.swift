import AsyncHTTPClient
import Foundation
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
        func elapsed() -> Double {
            let duration = clock.now - start
            return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
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

    /// `streaming`: progress events must arrive as they happen, not in one burst at the end.
    func streamingCheck(_ probe: StreamingProbe) -> DoctorCheck {
        let id = "streaming"
        let fix = "proxy_buffering off; (and gzip off;) in the \(locationName) block (portico edge apply renders it); \(applyHint)"
        switch probe.outcome {
        case .unreachable(let error):
            return .fail(id, error, fix: "start the stack (portico up -c portico.yaml), or point --url / --state-dir at the running one")
        case .refused(let status, let body):
            return skipForRefusal(id, status: status, body: body)
        case .noTool(let message):
            return .skip(id, "the probe needs the demo tool slow_count: \(message)", fix: "add demo to tools.packs while diagnosing, or check streaming with your own tool")
        case .completed:
            break
        }
        let count = probe.progressArrivals.count
        guard count > 0 else {
            return .fail(id, "slow_count answered (\(probe.contentType)) but no progress event arrived", fix: fix)
        }
        let spreadMS = Int((probe.spread * 1000).rounded())
        let first = String(format: "%.1f", probe.progressArrivals[0])
        // Unbuffered, the events are one delay apart; a buffering proxy releases them together.
        if probe.spread < probe.expectedSpread * 0.3 {
            return .fail(id, "\(count) progress events arrived within \(spreadMS) ms after \(first) s: the proxy buffers SSE", fix: fix)
        }
        return .pass(id, "\(count) progress events arrived as they happened, over \(String(format: "%.1f", probe.spread)) s (first after \(first) s)")
    }

    /// A probe refused before the tool ran is another check's finding; say which.
    func skipForRefusal(_ id: String, status: Int, body: String) -> DoctorCheck {
        if status == 403, body.contains("is not allowed") {
            return .skip(id, "the app refused the probe's Host or Origin (see host-allow-list)")
        }
        if status == 401 || status == 403, target.configuration.auth.enabled {
            return .skip(id, target.token == nil ? "auth is on and no credential was given" : "the credential was refused (\(status))",
                         fix: "pass --token with an API key or access token (or set PORTICO_DOCTOR_TOKEN)")
        }
        if status == 429 {
            return .skip(id, "the edge rate-limited the probe (429)", fix: "run the doctor again in a minute")
        }
        return .fail(id, "POST \(target.publicURL) answered \(status): \(body.prefix(160))", fix: "read the app's log and nginx's error log")
    }

    /// `gzip-sse`: compression must not apply to event streams. nginx's gzip holds buffered
    /// output until a buffer fills, so events arrive late and together.
    func gzipCheck(_ probe: StreamingProbe) -> DoctorCheck {
        let id = "gzip-sse"
        let fix = "gzip off; in the \(locationName) block, or drop text/event-stream from gzip_types (portico edge apply renders gzip off); \(applyHint)"
        var problems: [String] = []
        if let live = target.live, target.location != nil {
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
        if target.live == nil && !probed {
            return .skip(id, "neither the live config nor an SSE reply could be examined")
        }
        return .pass(id, probed ? "an SSE reply to Accept-Encoding: gzip came back uncompressed; gzip is off for \(locationName)" : "gzip is off for \(locationName) (no SSE reply to probe)")
    }
}
