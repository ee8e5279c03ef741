extension StdioSource {
    /// The source's children right now, for the metrics listener.
    public struct Status: Sendable {
        public var name: String
        /// Children that exist: the pool plus live per-session children.
        public var children: Int
        /// Children that finished the handshake and take calls.
        public var up: Int
        /// Starts after a child's first, since the server started.
        public var restarts: Int
        /// Remote calls sent and not yet answered.
        public var inFlight: Int
    }

    public var status: Status {
        let all = slots + (sessions?.slots ?? [])
        let ready = readyConnections(in: all)
        return Status(
            name: name, children: all.count, up: ready.count, restarts: restarts.value,
            inFlight: ready.reduce(0) { $0 + $1.remoteCallsInFlight })
    }
}
