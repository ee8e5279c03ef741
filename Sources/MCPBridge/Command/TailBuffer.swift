/// Keeps only the last `capacity` bytes of a stream (stderr), in bounded memory.
///
/// A tool that logs megabytes to stderr must not cost megabytes per call; the end of stderr is
/// where the error message that explains a failure usually is.
struct TailBuffer: Sendable {
    let capacity: Int
    /// Grows to at most 2 × capacity before compacting, so each byte is moved O(1) times.
    private var storage: [UInt8] = []

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        if chunk.count >= capacity {
            storage = Array(chunk.suffix(capacity))
            return
        }
        storage.append(contentsOf: chunk)
        if storage.count > 2 * capacity {
            storage.removeFirst(storage.count - capacity)
        }
    }

    /// The tail as text: lossy UTF-8, trimmed of whitespace. Cutting may have split a
    /// multi-byte character at the front, so leading continuation bytes are skipped first
    /// rather than shown as a replacement character.
    var text: String {
        var tail = storage.suffix(capacity)[...]
        while let first = tail.first, first & 0xC0 == 0x80 { tail = tail.dropFirst() }
        let decoded = String(decoding: tail, as: UTF8.self)
        return String(decoded.trimmingWhitespace)
    }
}

extension StringProtocol {
    fileprivate var trimmingWhitespace: SubSequence {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let start = firstIndex(where: { !isSpace($0) }),
              let end = lastIndex(where: { !isSpace($0) }) else { return self[endIndex...] }
        return self[start...end]
    }
}
