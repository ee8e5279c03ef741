import Hummingbird
import Logging
import MCPCore
import NIOCore
import Synchronization

extension StreamableHTTPEndpoint {
    /// Methods whose handlers run user code that may report progress, log, or ask the client
    /// something; they run in their own task so the reply can switch to SSE mid-flight.
    static func mayStream(_ method: String) -> Bool {
        method == "tools/call" || method == "prompts/get" || method == "resources/read"
    }

    /// Runs one request and turns its outcome into the HTTP response.
    ///
    /// Legacy era: the request is registered with its session so `notifications/cancelled`
    /// can stop it; a client that disconnects does not cancel it (transports §2.12).
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
            return reply(outcome, to: request, modern: modern, accepted: accepted, headers: extraHeaders)
        }

        // A client that accepts only JSON gets the final reply alone; related messages are dropped.
        let stream = MessageStream(forwardsMessages: accepted.eventStream)
        let context = handlerContext.withStream(stream)
        // `notifications/cancelled` may arrive before the task exists: remember it and cancel on creation.
        let taskBox = Mutex<(task: Task<Void, Never>?, cancelRequested: Bool)>((nil, false))
        let failure = Mutex<MCPError?>(nil)
        let cancel: @Sendable () -> Void = {
            taskBox.withLock { box in
                box.cancelRequested = true
                box.task?.cancel()
            }
        }
        if let session, !session.beginRequest(request.id, cancel: cancel) {
            let error = MCPError(code: .invalidRequest, message: "Request id \(request.id) is already in flight in this session")
            return reply(.failure(error), to: request, modern: modern, accepted: accepted, headers: extraHeaders)
        }
        let server = self.server
        // Detached: the handler needs none of the connection task's task-locals, and copying them costs.
        let task = Task.detached {
            let outcome = await server.handle(request, context: context)
            session?.endRequest(request.id)
            if case .failure(let error) = outcome { failure.withLock { $0 = error } }
            if Task.isCancelled, !modern {
                // A cancelled legacy request gets no response (utilities/cancellation).
                stream.abandon()
            } else {
                stream.finish(Self.encode(outcome, id: request.id))
            }
        }
        taskBox.withLock { box in
            box.task = task
            if box.cancelRequested { task.cancel() }
        }
        let logger = handlerContext.logger
        let registration: ConnectionCloseMonitor.Registration? =
            modern
            ? closeMonitor.add(channel: channel) {
                // 2026-07-28: closing the response stream is the cancellation signal.
                logger.debug("client closed the connection; cancelling", metadata: ["mcp.method": "\(request.method)", "mcp.id": "\(request.id)"])
                task.cancel()
                stream.close()
            } : nil

        switch await stream.next() {
        case .final(let bytes):
            closeMonitor.remove(registration)
            return finalReply(bytes, failure: failure.withLock { $0 }, request: request, modern: modern, accepted: accepted, headers: extraHeaders)
        case .none:
            closeMonitor.remove(registration)
            return cancelledReply(accepted: accepted, headers: extraHeaders)
        case .message(let first):
            var headers = HTTPReply.sseHeaders
            headers.append(contentsOf: extraHeaders)
            let closeMonitor = self.closeMonitor
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    defer { closeMonitor.remove(registration) }
                    do {
                        try await writer.write(SSEFrame.message(first))
                        streaming: while let event = await stream.next() {
                            switch event {
                            case .message(let bytes): try await writer.write(SSEFrame.message(bytes))
                            case .final(let bytes):
                                try await writer.write(SSEFrame.message(bytes))
                                break streaming
                            }
                        }
                        try await writer.finish(nil)
                    } catch {
                        // The client went away mid-stream. Legacy work goes on; its later messages are dropped.
                        stream.close()
                        if modern { task.cancel() }
                        throw error
                    }
                })
        }
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
