import Hummingbird
import Logging
import MCPCore
import NIOCore
import Synchronization

extension StreamableHTTPEndpoint {
    /// Methods whose handlers run user code that may report progress, log, or ask the client
    /// something (and 2025-11-25 `tasks/result`, which carries its task's input requests);
    /// they run in their own task so the reply can switch to SSE mid-flight.
    static func mayStream(_ method: String) -> Bool {
        method == "tools/call" || method == "prompts/get" || method == "resources/read" || method == "tasks/result"
    }

    /// Runs one request and turns its outcome into the HTTP response.
    ///
    /// Legacy era: the request is registered with its session so `notifications/cancelled`
    /// can stop it; a client that disconnects does not cancel it (transports §2.12), and
    /// with resumability its remaining events wait for a GET with `Last-Event-ID`.
    /// Modern era: closing the connection is the cancellation signal.
    func run(
        _ request: JSONRPCRequest,
        context handlerContext: HandlerContext,
        session: Session?,
        accepted: AcceptedMediaTypes,
        channel: any Channel,
        headers extraHeaders: HTTPFields = [:]
    ) async -> Response {
        let modern = handlerContext.protocolVersion.isModern
        guard Self.mayStream(request.method) else {
            let outcome = await server.handle(request, context: handlerContext)
            if let session, session.resumable, !accepted.json {
                return replayedFinal(Self.encode(outcome, id: request.id), session: session, channel: channel, headers: extraHeaders)
            }
            return reply(outcome, to: request, modern: modern, accepted: accepted, headers: extraHeaders)
        }

        // A client that accepts only JSON gets the final reply alone; related messages are dropped.
        let stream = MessageStream(forwardsMessages: accepted.eventStream)
        let context = handlerContext.withStream(stream)
        let handler = CancellableTask()
        let failure = Mutex<MCPError?>(nil)
        if let session, !session.beginRequest(request.id, cancel: handler.cancel) {
            let error = MCPError(code: .invalidRequest, message: "Request id \(request.id) is already in flight in this session")
            return reply(.failure(error), to: request, modern: modern, accepted: accepted, headers: extraHeaders)
        }
        let server = self.server
        let deadlines = self.deadlines
        // Detached: the handler needs none of the connection task's task-locals, and copying them costs.
        let task = Task.detached {
            let (outcome, timedOut) = await deadlines.handle(request, context: context, server: server, cancel: handler.cancel)
            session?.endRequest(request.id)
            if case .failure(let error) = outcome { failure.withLock { $0 = error } }
            if Task.isCancelled, !modern, !timedOut {
                // A cancelled legacy request gets no response (utilities/cancellation).
                stream.abandon()
            } else {
                stream.finish(Self.encode(outcome, id: request.id))
            }
        }
        handler.set(task)
        let logger = handlerContext.logger
        let registration: ConnectionCloseMonitor.Registration? =
            modern
            ? closeMonitor.add(channel: channel) {
                // 2026-07-28: closing the response stream is the cancellation signal.
                logger.debug("client closed the connection; cancelling", metadata: ["mcp.method": "\(request.method)", "mcp.id": "\(request.id)"])
                task.cancel()
                stream.close()
            } : nil

        // The first event decides the reply's shape: a final reply alone is JSON, anything earlier means SSE.
        var first: MessageStream.Event
        waiting: while true {
            switch await stream.next() {
            case .final(let bytes):
                closeMonitor.remove(registration)
                if let session, session.resumable, !accepted.json {
                    return replayedFinal(bytes, session: session, channel: channel, headers: extraHeaders)
                }
                return finalReply(bytes, failure: failure.withLock { $0 }, request: request, modern: modern, accepted: accepted, headers: extraHeaders)
            case .none:
                closeMonitor.remove(registration)
                return cancelledReply(accepted: accepted, headers: extraHeaders)
            case .message(let bytes):
                first = .message(bytes)
                break waiting
            case .disconnect:
                // Polling needs an id to resume from: only resumable sessions that accept SSE can do it.
                guard let session, session.resumable, session.protocolVersion.supportsPriming, accepted.eventStream else { continue }
                first = .disconnect
                break waiting
            case .idle:
                continue
            }
        }
        if let session, session.resumable {
            return replayedReply(first: first, from: stream, session: session, channel: channel, headers: extraHeaders)
        }
        return liveReply(first: first, from: stream, task: task, modern: modern, closeRegistration: registration, headers: extraHeaders)
    }

    /// An SSE reply written straight from the handler's stream (2026-07-28, or legacy without resumability).
    func liveReply(
        first: MessageStream.Event, from stream: MessageStream, task: Task<Void, Never>, modern: Bool,
        closeRegistration registration: ConnectionCloseMonitor.Registration?, headers extraHeaders: HTTPFields
    ) -> Response {
        var headers = HTTPReply.sseHeaders
        headers.append(contentsOf: extraHeaders)
        let closeMonitor = self.closeMonitor
        let keepAlive = self.keepAlive
        let openStreams = self.openStreams
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                let ticking = keepAlive.add(stream)
                openStreams.opened(.reply)
                defer {
                    closeMonitor.remove(registration)
                    keepAlive.remove(ticking)
                    openStreams.closed(.reply)
                }
                do {
                    try await stream.writeSSE(startingWith: first, to: &writer)
                    try await writer.finish(nil)
                } catch {
                    // The client went away mid-stream. Legacy work goes on; its later messages are dropped.
                    stream.close()
                    if modern { task.cancel() }
                    throw error
                }
            })
    }

    /// A legacy SSE reply whose events are kept: the handler's messages are moved into a
    /// numbered ``ReplayStream`` of the session, and the response reads from there. A dropped
    /// connection loses nothing: the work goes on, its events stay, and GET with
    /// `Last-Event-ID` picks the stream up again.
    func replayedReply(first: MessageStream.Event, from stream: MessageStream, session: Session, channel: any Channel, headers: HTTPFields) -> Response {
        let replay = session.openReplayStream()
        // A fresh stream has no reader yet, so attaching from its start cannot fail.
        let attachment = try! replay.attach(after: 0)
        Task.detached {
            var pending: MessageStream.Event?? = .some(first)
            while true {
                let event: MessageStream.Event?
                if let queued = pending {
                    event = queued
                    pending = nil
                } else {
                    event = await stream.next()
                }
                switch event {
                case .message(let bytes): await replay.append(bytes)
                case .final(let bytes):
                    replay.finish(bytes)
                    return
                case .disconnect: replay.requestDisconnect()
                case .idle: continue
                case .none:
                    replay.finishWithoutResponse()
                    return
                }
            }
        }
        return replayResponse(replay, attachment: attachment, session: session, priming: session.protocolVersion.supportsPriming, channel: channel, headers: headers)
    }

    /// A lone reply for an SSE-only client of a resumable session: a stream of one event,
    /// with its id (and priming) like any other, so the client can resume it too.
    func replayedFinal(_ bytes: [UInt8], session: Session, channel: any Channel, headers: HTTPFields) -> Response {
        let replay = session.openReplayStream()
        // A fresh stream has no reader yet, so attaching from its start cannot fail.
        let attachment = try! replay.attach(after: 0)
        replay.finish(bytes)
        return replayResponse(replay, attachment: attachment, session: session, priming: session.protocolVersion.supportsPriming, channel: channel, headers: headers)
    }

    /// Writes `replay` from `attachment` on: a priming event first when the session allows
    /// one, then events with ids `<stream>-<sequence>`, keep-alives while quiet, until the
    /// stream completes, the handler asks for a disconnect, or the client leaves.
    func replayResponse(
        _ replay: ReplayStream, attachment: ReplayStream.Attachment, session: Session, priming: Bool, kind: OpenStreams.Kind = .reply,
        channel: any Channel, headers extraHeaders: HTTPFields = [:]
    ) -> Response {
        var headers = HTTPReply.sseHeaders
        headers.append(contentsOf: extraHeaders)
        let closeMonitor = self.closeMonitor
        let keepAlive = self.keepAlive
        let retry = options.retryMilliseconds
        let withIDs = session.resumable
        let prefix = "\(replay.number)-"
        let registration = closeMonitor.add(channel: channel) { replay.detach(attachment) }
        let openStreams = self.openStreams
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                let ticking = keepAlive.add(replay)
                openStreams.opened(kind)
                defer {
                    closeMonitor.remove(registration)
                    keepAlive.remove(ticking)
                    replay.detach(attachment)
                    openStreams.closed(kind)
                }
                if priming && withIDs {
                    try await writer.write(SSEFrame.priming(id: prefix + String(attachment.cursor), retryMilliseconds: retry))
                } else {
                    // Flushes the headers, so the client sees the stream open before the first event.
                    try await writer.write(SSEFrame.keepAlive)
                }
                streaming: while true {
                    switch await replay.next(for: attachment) {
                    case .message(let sequence, let bytes):
                        try await writer.write(SSEFrame.message(bytes, id: withIDs ? prefix + String(sequence) : nil))
                    case .final(let sequence, let bytes):
                        try await writer.write(SSEFrame.message(bytes, id: withIDs ? prefix + String(sequence) : nil))
                        break streaming
                    case .idle:
                        try await writer.write(SSEFrame.keepAlive)
                    case .disconnect:
                        try await writer.write(SSEFrame.retry(retry))
                        break streaming
                    case .gap, .end:
                        break streaming
                    }
                }
                // Detach before the response ends, so a resume that races the end finds the stream free.
                replay.detach(attachment)
                try await writer.finish(nil)
            })
    }

    static func encode(_ outcome: Result<JSONObject, MCPError>, id: JSONRPCID) -> [UInt8] {
        switch outcome {
        case .success(let result): JSONRPCEncoding.result(id: id, result: result)
        case .failure(let error): JSONRPCEncoding.error(error, id: id)
        }
    }

    func reply(_ outcome: Result<JSONObject, MCPError>, to request: JSONRPCRequest, modern: Bool, accepted: AcceptedMediaTypes, headers: HTTPFields) -> Response {
        switch outcome {
        case .success(let result):
            return HTTPReply.message(JSONRPCEncoding.result(id: request.id, result: result), accepted: accepted, headers: headers)
        case .failure(let error):
            let status = HTTPReply.status(for: error, modern: modern)
            logRefusal(error, method: request.method, id: request.id, status: status)
            return HTTPReply.message(JSONRPCEncoding.error(error, id: request.id), accepted: accepted, status: status, headers: headers)
        }
    }

    /// A final reply produced by a handler task: an error reply takes its code's HTTP status.
    func finalReply(_ bytes: [UInt8], failure: MCPError?, request: JSONRPCRequest, modern: Bool, accepted: AcceptedMediaTypes, headers: HTTPFields) -> Response {
        var status = HTTPResponse.Status.ok
        if let failure {
            status = HTTPReply.status(for: failure, modern: modern)
            logRefusal(failure, method: request.method, id: request.id, status: status)
        }
        return HTTPReply.message(bytes, accepted: accepted, status: status, headers: headers)
    }

    /// A cancelled request ends its stream without a response.
    func cancelledReply(accepted: AcceptedMediaTypes, headers: HTTPFields) -> Response {
        if accepted.eventStream {
            var fields = HTTPReply.sseHeaders
            fields.append(contentsOf: headers)
            return Response(status: .ok, headers: fields, body: ResponseBody())
        }
        return HTTPReply.json(JSONRPCEncoding.error(MCPError(code: ErrorCode(rawValue: -32800), message: "Request cancelled"), id: nil), headers: headers)
    }
}
