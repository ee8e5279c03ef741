import Logging
import MCPHTTP

/// One JSON object per line on standard error, for log shippers; the same shape as the
/// request log's lines (``JSONLogLine``).
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line = JSONLogLine(level: event.level.rawValue, label: label, message: "\(event.message)")
        let merged = metadata.isEmpty ? event.metadata ?? [:] : metadata.merging(event.metadata ?? [:]) { _, new in new }
        for key in merged.keys.sorted() {
            line.field(key, "\(merged[key]!)")
        }
        StandardStream.error.write(line.finished())
    }
}
