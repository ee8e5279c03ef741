extension MCPServer {
    /// Forwards registry changes to every legacy session's GET stream as
    /// `notifications/{tools,resources,prompts}/list_changed`; each message goes to one stream per session.
    func observeRegistry() {
        registry.observeChanges { [weak self] list in
            guard let self else { return }
            let notification = JSONRPCNotification(method: "notifications/\(list.rawValue)/list_changed").encoded()
            self.sendToStandaloneStreams(notification) { _ in true }
        }
    }

    /// Tells sessions subscribed to `uri` that it changed (`notifications/resources/updated`).
    public func notifyResourceUpdated(uri: String) {
        let notification = JSONRPCNotification(method: "notifications/resources/updated", params: ["uri": .string(uri)]).encoded()
        sendToStandaloneStreams(notification) { $0.isSubscribed(uri) }
    }

    func sendToStandaloneStreams(_ bytes: [UInt8], to include: @escaping @Sendable (Session) -> Bool) {
        let streams = sessions.all.filter(include).compactMap(\.standaloneStream)
        guard !streams.isEmpty else { return }
        Task {
            for stream in streams { await stream.send(bytes) }
        }
    }

    /// Graceful shutdown, first step: end every GET stream so in-flight POSTs can drain.
    public func closeStandaloneStreams() {
        for stream in sessions.all.compactMap(\.standaloneStream) {
            stream.abandon()
        }
    }
}
