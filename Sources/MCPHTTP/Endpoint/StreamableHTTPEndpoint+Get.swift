import Logging
import Hummingbird
import MCPCore
import NIOCore

extension StreamableHTTPEndpoint {
    /// GET: the legacy standalone SSE stream for server-initiated notifications
    /// (transports §Listening for Messages from the Server), or with `Last-Event-ID` the
    /// resumption of any stream of the session (§Resumability and Redelivery). One reader
    /// per stream: a second is 409. 2026-07-28 has no GET stream: without a legacy session
    /// the answer is 405.
    func get(_ request: Request, context: Context) async -> Response {
        if let refusal = refuseForeignCaller(request, origin: request.headers[.origin]) { return refusal }
        let (principal, refusal) = await admit(request, context: context)
        if let refusal { return refusal }
        guard let sessionID = request.headers[.mcpSessionID] else {
            if let version = request.headers[.mcpProtocolVersion], !Self.isModernVersionHeader(version) {
                return HTTPReply.error(MCPError(code: .invalidRequest, message: "Bad Request: missing Mcp-Session-Id header"), status: .badRequest)
            }
            return HTTPReply.error(
                MCPError(code: .invalidRequest, message: "Method Not Allowed: GET streams need a legacy session; 2026-07-28 clients use subscriptions/listen"),
                status: .methodNotAllowed, headers: [.allow: "POST"])
        }
        guard AcceptedMediaTypes(header: request.headers[.accept]).eventStream else {
            return HTTPReply.error(MCPError(code: .invalidRequest, message: "Not Acceptable: GET needs Accept: text/event-stream"), status: .notAcceptable)
        }
        guard let session = server.sessions.session(id: sessionID, for: principal) else {
            return HTTPReply.error(MCPError(code: .sessionNotFound, message: "Session not found"), status: .notFound)
        }
        if let lastEventID = request.headers[.lastEventID] {
            return resume(session, after: lastEventID, channel: context.channel)
        }
        guard let stream = session.standaloneStream(create: true) else {
            return HTTPReply.error(MCPError(code: .sessionNotFound, message: "Session not found"), status: .notFound)
        }
        do {
            let attachment = try stream.attachAtEnd()
            return replayResponse(stream, attachment: attachment, session: session, priming: session.protocolVersion.supportsPriming, kind: .get, channel: context.channel)
        } catch {
            return HTTPReply.error(MCPError(code: .invalidRequest, message: "Conflict: only one GET stream is allowed per session"), status: .conflict)
        }
    }

    /// Replays the stream `Last-Event-ID` names from just after that event, then continues it live.
    /// Only that stream's events: ids carry their stream, and streams are looked up in this
    /// session alone, so another stream's or another session's messages cannot leak in.
    func resume(_ session: Session, after lastEventID: String, channel: any Channel) -> Response {
        func refuse(_ message: String, status: HTTPResponse.Status = .badRequest) -> Response {
            let error = MCPError(code: .invalidRequest, message: message)
            logRefusal(error, method: "GET", id: nil, status: status)
            return HTTPReply.error(error, status: status)
        }
        guard session.resumable else {
            return refuse("Bad Request: Last-Event-ID '\(lastEventID)' cannot be resumed: resumability is turned off on this server")
        }
        guard let position = EventPosition(lastEventID), let stream = session.replayStream(number: position.stream) else {
            return refuse("Bad Request: Last-Event-ID '\(lastEventID)' does not name an event of this session")
        }
        do throws(ReplayStream.ResumeRefusal) {
            let attachment = try stream.attach(after: position.sequence, takeOver: true)
            return replayResponse(stream, attachment: attachment, session: session, priming: false, kind: .get, channel: channel)
        } catch {
            switch error {
            case .alreadyAttached:
                return refuse("Conflict: the stream of Last-Event-ID '\(lastEventID)' is being read by another connection", status: .conflict)
            case .unknownPosition:
                return refuse("Bad Request: Last-Event-ID '\(lastEventID)' does not name an event of this session")
            case .outsideWindow(let oldest):
                let kept = oldest.map { "; the oldest kept is \(position.stream)-\($0)" } ?? ""
                return refuse("Bad Request: the events after Last-Event-ID '\(lastEventID)' are no longer available (outside the replay window\(kept))")
            }
        }
    }
}

/// An SSE event id `<stream>-<sequence>` as Portico writes them.
struct EventPosition: Equatable {
    let stream: Int
    let sequence: Int

    init?(_ text: String) {
        let parts = text.trimmingSpaces.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.count <= 18 && $0.allSatisfy(\.isASCIIDigit) }),
            let stream = Int(parts[0]), let sequence = Int(parts[1])
        else { return nil }
        self.stream = stream
        self.sequence = sequence
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
