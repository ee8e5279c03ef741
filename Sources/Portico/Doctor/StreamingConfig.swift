import NginxKit

/// What the live config of the MCP location says about streaming: whether nginx keeps
/// buffering the app's event streams, which holds progress events back until the reply ends.
///
/// The app sends `X-Accel-Buffering: no` on every event stream, which turns nginx's buffering
/// off for that reply, so `proxy_buffering on` alone is harmless. Buffering stays on only when
/// nginx ignores the header: `proxy_ignore_headers X-Accel-Buffering`, the one directive that
/// makes it skip the header (nginx's `proxy_buffering` default is on, so a location without
/// the directive counts as on). Measured with nginx 1.22.1 and Portico's replies, buffering
/// that stays on releases all events together at the end.
struct StreamingConfig: Sendable {
    /// The effective `proxy_buffering` (nginx's default is on).
    var buffering: Bool
    /// `proxy_ignore_headers` lists `X-Accel-Buffering` (nginx compares it case-insensitively).
    var ignoresAccelBuffering: Bool
    /// gzip is on for `text/event-stream` (or `*`): harmless while nginx does not buffer (each
    /// event is flushed), but it compresses the stream and is the `gzip-sse` check's finding.
    var gzipsEventStreams: Bool

    init(live: NginxLiveConfig, location: NginxDirective?, server: NginxDirective?) {
        buffering = (live.effectiveValue("proxy_buffering", location: location, server: server)?.first ?? "on").lowercased() == "on"
        let ignored = (live.effective("proxy_ignore_headers", location: location, server: server) ?? []).flatMap { $0 }
        ignoresAccelBuffering = ignored.contains { $0.lowercased() == "x-accel-buffering" }
        let gzip = (live.effectiveValue("gzip", location: location, server: server)?.first ?? "off").lowercased() == "on"
        let types = (live.effective("gzip_types", location: location, server: server) ?? []).flatMap { $0 }
        gzipsEventStreams = gzip && (types.contains("text/event-stream") || types.contains("*"))
    }

    /// nginx buffers the app's event streams: buffering is on and the app's header is ignored.
    var holdsEventsBack: Bool { buffering && ignoresAccelBuffering }

    /// Why events are held back; `nil` when the config streams.
    var finding: String? {
        guard holdsEventsBack else { return nil }
        let gzip = gzipsEventStreams ? ", and gzip on for text/event-stream" : ""
        return "proxy_buffering on with proxy_ignore_headers X-Accel-Buffering (nginx ignores the app's X-Accel-Buffering: no)\(gzip)"
    }

    /// What keeps the location streaming, for a pass by config.
    var streamingReason: String {
        buffering ? "proxy_buffering on, but nginx honours the app's X-Accel-Buffering: no" : "proxy_buffering off"
    }
}
