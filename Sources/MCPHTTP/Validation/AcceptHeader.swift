/// Which of the two MCP media types a client accepts.
///
/// Lenient by design: either type, a matching wildcard, or `*/*` is enough (Claude's proxy
/// sends only `text/event-stream`; some clients send only `application/json`).
struct AcceptedMediaTypes: Sendable, Equatable {
    var json: Bool
    var eventStream: Bool

    var acceptsAny: Bool { json || eventStream }

    /// A missing header means anything is acceptable (RFC 9110 §12.5.1).
    init(header: String?) {
        guard let header, !header.allSatisfy({ $0 == " " }) else {
            json = true
            eventStream = true
            return
        }
        var json = false
        var eventStream = false
        for range in header.split(separator: ",") {
            let parts = range.split(separator: ";")
            guard let typePart = parts.first else { continue }
            let type = typePart.trimmingSpaces.lowercased()
            // q=0 means "not acceptable".
            let refused = parts.dropFirst().contains { parameter in
                let pair = parameter.trimmingSpaces.lowercased()
                return pair == "q=0" || pair == "q=0.0" || pair == "q=0.00" || pair == "q=0.000"
            }
            if refused { continue }
            switch type {
            case "*/*":
                json = true
                eventStream = true
            case "application/json", "application/*": json = true
            case "text/event-stream", "text/*": eventStream = true
            default: continue
            }
        }
        self.json = json
        self.eventStream = eventStream
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" { view.removeFirst() }
        while let last = view.last, last == " " || last == "\t" { view.removeLast() }
        return String(view)
    }
}
