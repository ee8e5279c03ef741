import Logging

extension MCPServer {
    /// Forwards registry changes as `notifications/{tools,resources,prompts}/list_changed` to
    /// every legacy session's GET stream and every modern listener that opted in. Each
    /// message goes to one stream per client (transports §Multiple Connections).
    func observeRegistry() {
        registry.observeChanges { [weak self] list in
            guard let self else { return }
            let start = ContinuousClock.now
            let notification = JSONRPCNotification(method: "notifications/\(list.rawValue)/list_changed").encoded()
            self.sendToStandaloneStreams(notification) { _ in true }
            let listeners = self.listeners.listChanged(list)
            let elapsed = ContinuousClock.now - start
            self.logger.debug(
                "list_changed queued for every stream",
                metadata: ["mcp.list": "\(list.rawValue)", "listeners": "\(listeners)", "microseconds": "\(elapsed.components.attoseconds / 1_000_000_000_000 + elapsed.components.seconds * 1_000_000)"])
        }
        tasks.observeChanges { [weak self] record in
            self?.listeners.taskChanged(record)
        }
    }

    /// Tells subscribers of `uri` that it changed (`notifications/resources/updated`): legacy
    /// sessions that called `resources/subscribe`, modern listeners with it in `resourceSubscriptions`.
    public func notifyResourceUpdated(uri: String) {
        let notification = JSONRPCNotification(method: "notifications/resources/updated", params: ["uri": .string(uri)]).encoded()
        sendToStandaloneStreams(notification) { $0.isSubscribed(uri) }
        listeners.resourceUpdated(uri)
    }

    /// Offers `bytes` to the GET stream of every session `include` accepts. A session whose
    /// client is between GET connections keeps the message for its resume.
    func sendToStandaloneStreams(_ bytes: [UInt8], to include: (Session) -> Bool) {
        for session in sessions.all where include(session) {
            session.standaloneStream?.offer(bytes)
            session.pushStream?.offer(bytes)
        }
    }

    /// Graceful shutdown, first step: end every GET stream and every listen stream (each
    /// listen request gets its final response) so in-flight calls can drain.
    public func closeLongLivedStreams() {
        for stream in sessions.all.compactMap(\.standaloneStream) {
            stream.finishWithoutResponse()
        }
        listeners.closeAll { listener in
            JSONRPCEncoding.result(id: listener.subscriptionID, result: decorateModern(["_meta": listener.meta]))
        }
    }
}
