/// What one `slow_count` call through the edge showed: when each progress event arrived and
/// how the reply was framed and encoded.
struct StreamingProbe: Sendable {
    enum Outcome: Sendable {
        /// The call ran; the fields below describe it.
        case completed
        /// The request never got an answer (connection refused, timeout).
        case unreachable(String)
        /// Refused before the tool ran; the status and body say by whom.
        case refused(status: Int, body: String)
        /// The server does not offer `slow_count` (the demo pack is off).
        case noTool(String)
    }

    var outcome: Outcome
    var status = 0
    var contentType = ""
    /// `Content-Encoding` of the reply as nginx sent it (before the client decompressed it).
    var contentEncoding: String?
    /// Seconds from sending the request to each progress notification's arrival.
    var progressArrivals: [Double] = []
    /// Seconds until the final response arrived.
    var finished: Double?
    var steps = 0
    var delaySeconds = 0.0

    /// Time between the first and the last progress event.
    var spread: Double {
        guard let first = progressArrivals.first, let last = progressArrivals.last else { return 0 }
        return last - first
    }

    /// What an unbuffered path spreads the events over: one delay between each pair of steps.
    var expectedSpread: Double { Double(max(steps - 1, 0)) * delaySeconds }
}
