/// Turns text into lowercase search terms in one pass over its UTF-8 bytes.
///
/// Documents, file names and queries all go through this one function, so a query
/// term matches exactly what was indexed. A term is a maximal run of letters and
/// digits: ASCII is handled byte by byte, other scalars by their Unicode properties
/// (alphabetic or numeric; combining marks continue a run so decomposed accents stay
/// inside the word). Runs of one scalar are dropped as noise, runs over 64 bytes as
/// hashes or base64. There is no stemming and no Unicode normalisation, and scripts
/// without spaces (CJK) become one term per run; all three keep the tokeniser
/// deterministic and cheap. `snake_case` splits naturally at `_`; camelCase is not split.
public enum Tokenizer {
    static let minimumScalars = 2
    static let maximumBytes = 64

    /// The terms of `text`, in order, with repeats.
    public static func tokens(of text: String) -> [String] {
        var result: [String] = []
        var copy = text
        copy.withUTF8 { bytes in
            forEachToken(in: bytes) { token, _ in
                result.append(token)
                return true
            }
        }
        return result
    }

    /// Calls `body` with each term and the byte range it came from; `body` returns
    /// false to stop early.
    static func forEachToken(
        in bytes: UnsafeBufferPointer<UInt8>,
        _ body: (String, Range<Int>) -> Bool
    ) {
        forEachTokenBytes(in: bytes) { token, range in
            body(String(decoding: token, as: UTF8.self), range)
        }
    }

    /// Like `forEachToken` but hands out the lowercased UTF-8 of each term without
    /// making a `String`: the snippet builder compares a few terms and must be cheap.
    static func forEachTokenBytes(
        in bytes: UnsafeBufferPointer<UInt8>,
        _ body: (UnsafeBufferPointer<UInt8>, Range<Int>) -> Bool
    ) {
        var scratch: [UInt8] = []
        scratch.reserveCapacity(maximumBytes + 4)
        var start = -1
        var scalars = 0
        var tooLong = false

        // Ends the current run at `end`; returns false when `body` asked to stop.
        func flush(_ end: Int) -> Bool {
            defer {
                start = -1
                scalars = 0
                tooLong = false
                scratch.removeAll(keepingCapacity: true)
            }
            guard start >= 0, scalars >= minimumScalars, !tooLong else { return true }
            return scratch.withUnsafeBufferPointer { body($0, start..<end) }
        }

        @inline(__always)
        func append(_ byte: UInt8) {
            if scratch.count < maximumBytes { scratch.append(byte) } else { tooLong = true }
        }

        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte < 0x80 {
                let lower = byte | 0x20
                if (byte >= 0x30 && byte <= 0x39) || (lower >= 0x61 && lower <= 0x7A) {
                    if start < 0 { start = index }
                    append(byte >= 0x41 ? lower : byte)
                    scalars += 1
                } else if !flush(index) {
                    return
                }
                index += 1
                continue
            }
            guard case .scalar(let scalar, let length) = UTF8Scanner.decode(bytes, at: index) else {
                if !flush(index) { return }
                index += 1
                continue
            }
            let properties = scalar.properties
            if properties.isAlphabetic || properties.numericType != nil {
                if start < 0 { start = index }
                if properties.changesWhenLowercased {
                    for unit in properties.lowercaseMapping.utf8 { append(unit) }
                } else {
                    UTF8.encode(scalar) { append($0) }
                }
                scalars += 1
            } else if start >= 0, isMark(properties.generalCategory) {
                UTF8.encode(scalar) { append($0) }
            } else if !flush(index) {
                return
            }
            index += length
        }
        _ = flush(count)
    }

    private static func isMark(_ category: Unicode.GeneralCategory) -> Bool {
        switch category {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: false
        }
    }
}
