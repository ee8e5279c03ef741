/// Keeps the first `limit` bytes of a stream and counts the rest.
///
/// The reader keeps draining past the limit instead of stopping, because a child blocked on a
/// full stdout pipe would never exit and every over-cap call would end in a timeout.
struct CappedBuffer: Sendable {
    let limit: Int
    private(set) var bytes: [UInt8] = []
    private(set) var total = 0

    init(limit: Int) {
        self.limit = max(0, limit)
    }

    var truncated: Bool { total > bytes.count }

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        total += chunk.count
        let room = limit - bytes.count
        if room > 0 {
            bytes.append(contentsOf: chunk.prefix(room))
        }
    }
}
