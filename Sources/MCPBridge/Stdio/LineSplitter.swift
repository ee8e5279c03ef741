/// Splits a byte stream into newline-delimited frames (stdio transport §Messages: one
/// JSON-RPC message per line, no embedded newlines).
///
/// Only byte 0x0A ends a frame: JSON may carry U+2028 or NEL raw inside strings, which
/// line-reading helpers treat as line breaks. A frame longer than `maximumFrameBytes`
/// is an error rather than unbounded memory.
struct LineSplitter {
    let maximumFrameBytes: Int
    private var partial: [UInt8] = []

    init(maximumFrameBytes: Int) {
        self.maximumFrameBytes = maximumFrameBytes
    }

    struct FrameTooLong: Error {}

    /// Appends `chunk` and calls `frame` for every complete line (without its newline; a
    /// trailing CR is dropped too).
    mutating func feed(_ chunk: UnsafeRawBufferPointer, frame: ([UInt8]) throws -> Void) throws {
        var start = chunk.startIndex
        while let newline = chunk[start...].firstIndex(of: 0x0A) {
            partial.append(contentsOf: chunk[start..<newline])
            start = newline + 1
            if partial.last == 0x0D { partial.removeLast() }
            let line = partial
            partial.removeAll(keepingCapacity: true)
            if !line.isEmpty { try frame(line) }
        }
        partial.append(contentsOf: chunk[start...])
        if partial.count > maximumFrameBytes { throw FrameTooLong() }
    }
}
