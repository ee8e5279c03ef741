/// Splits a byte stream into newline-delimited frames (stdio transport §Messages: one
/// JSON-RPC message per line, no embedded newlines).
///
/// Only byte 0x0A ends a frame: JSON may carry U+2028 or NEL raw inside strings, which
/// line-reading helpers treat as line breaks. A frame longer than `maximumFrameBytes` is an
/// error (`FrameTooLong`), or, with `truncating` (stderr, which is only logged), is cut there:
/// its first bytes come out marked as cut and the rest, up to the next newline, is dropped.
/// Either way memory stays bounded.
struct LineSplitter {
    let maximumFrameBytes: Int
    let truncating: Bool
    private var partial: [UInt8] = []
    /// Dropping the rest of a line that was cut.
    private var skipping = false

    static let cutMarker = Array(" [line cut]".utf8)

    init(maximumFrameBytes: Int, truncating: Bool = false) {
        self.maximumFrameBytes = maximumFrameBytes
        self.truncating = truncating
    }

    struct FrameTooLong: Error {}

    /// Appends `chunk` and calls `frame` for every complete line (without its newline; a
    /// trailing CR is dropped too).
    mutating func feed(_ chunk: UnsafeRawBufferPointer, frame: ([UInt8]) throws -> Void) throws {
        var start = chunk.startIndex
        while let newline = chunk[start...].firstIndex(of: 0x0A) {
            if skipping {
                skipping = false
            } else {
                partial.append(contentsOf: chunk[start..<newline])
                try emit(frame)
            }
            start = newline + 1
        }
        guard !skipping else { return }
        partial.append(contentsOf: chunk[start...])
        if partial.count > maximumFrameBytes {
            guard truncating else { throw FrameTooLong() }
            partial.removeLast(partial.count - maximumFrameBytes)
            partial += Self.cutMarker
            try emit(frame)
            skipping = true
        }
    }

    private mutating func emit(_ frame: ([UInt8]) throws -> Void) throws {
        if partial.last == 0x0D { partial.removeLast() }
        let line = partial
        partial.removeAll(keepingCapacity: true)
        if !line.isEmpty { try frame(line) }
    }
}
