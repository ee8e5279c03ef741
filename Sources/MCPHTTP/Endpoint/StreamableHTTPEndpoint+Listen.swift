import Hummingbird
import Logging
import MCPCore
import NIOCore

extension StreamableHTTPEndpoint {
    /// `subscriptions/listen` (2026-07-28 basic/patterns/subscriptions): an SSE response that
    /// stays open. The acknowledgement comes first, then only the kinds the client opted
    /// into, each tagged with the subscription id; the client ends it by closing the stream,
    /// the server on shutdown with a final response.
    func listen(
        _ call: JSONRPCRequest, clientCapabilities: JSONObject, principal: Principal?, accepted: AcceptedMediaTypes, channel: any Channel
    ) throws(MCPError) -> Response {
        guard accepted.eventStream else {
            throw MCPError(code: .invalidRequest, message: "Not Acceptable: subscriptions/listen answers with a stream; Accept must list text/event-stream", id: call.id, httpStatus: 406)
        }
        let (filter, acknowledged): (ListenerHub.Filter, JSONObject)
        do {
            (filter, acknowledged) = try server.listenFilter(
                call, clientCapabilities: clientCapabilities, maximumSubscriptions: options.maximumSubscriptions, principal: principal)
        } catch {
            // A malformed filter is a bad request, never a stream.
            throw MCPError(code: error.code, message: error.message, data: error.data, id: call.id, httpStatus: 400)
        }
        guard server.listeners.count < server.listeners.maximumListeners else {
            throw MCPError(
                code: .internalError, message: "Too many open listen streams (\(server.listeners.maximumListeners)); try again later",
                id: call.id, httpStatus: 503)
        }
        let acknowledgement = server.listenAcknowledgement(subscriptionID: call.id, acknowledged: acknowledged)
        let listeners = server.listeners
        let subscriptionID = call.id
        return Response(
            status: .ok, headers: HTTPReply.sseHeaders,
            body: ResponseBody { writer in
                // Registered only once the body runs: a client gone before the head is written
                // leaves no listener behind.
                let stream = MessageStream()
                guard let listener = listeners.add(subscriptionID: subscriptionID, filter: filter, stream: stream) else {
                    try await writer.finish(nil)
                    return
                }
                defer { listeners.remove(listener) }
                try await self.serveLongLived(stream, kind: .listen, opening: SSEFrame.message(acknowledgement), channel: channel, writer: &writer)
            })
    }
}
