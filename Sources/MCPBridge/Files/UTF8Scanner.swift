/// Strict UTF-8 decoding over raw bytes, shared by the tokeniser and the binary check.
///
/// The standard library decoders either repair input or work on whole strings; here
/// we need to step over one scalar at a time and tell "invalid" apart from
/// "valid but cut off at the end of the buffer".
enum UTF8Scanner {
    enum Step {
        case scalar(Unicode.Scalar, length: Int)
        case invalid
        /// A well-formed prefix of a sequence that runs past the end of the buffer.
        case truncated
    }

    @inline(__always)
    static func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }

    /// Decodes the multi-byte sequence starting at `index` (the lead byte must be >= 0x80).
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Step {
        let lead = bytes[index]
        let length: Int
        var value: UInt32
        // Second-byte bounds reject overlong forms and surrogates (RFC 3629, table 3-7).
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2; value = UInt32(lead & 0x1F)
        case 0xE0: length = 3; value = 0; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3; value = UInt32(lead & 0x0F)
        case 0xED: length = 3; value = 0x0D; high = 0x9F
        case 0xF0: length = 4; value = 0; low = 0x90
        case 0xF1...0xF3: length = 4; value = UInt32(lead & 0x07)
        case 0xF4: length = 4; value = 4; high = 0x8F
        default: return .invalid
        }
        let available = bytes.count - index
        for offset in 1..<length {
            guard offset < available else { return .truncated }
            let byte = bytes[index + offset]
            if offset == 1 {
                guard byte >= low && byte <= high else { return .invalid }
            } else {
                guard isContinuation(byte) else { return .invalid }
            }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        guard let scalar = Unicode.Scalar(value) else { return .invalid }
        return .scalar(scalar, length: length)
    }

    /// True when `prefix` looks like text: no NUL and valid UTF-8. A sequence cut by
    /// the end of `prefix` is accepted only when `isCut`, i.e. the file continues
    /// past the sample, so a multi-byte character straddling 8 KiB is not "binary".
    static func looksLikeText(_ prefix: UnsafeBufferPointer<UInt8>, isCut: Bool) -> Bool {
        var index = 0
        let count = prefix.count
        while index < count {
            let byte = prefix[index]
            if byte < 0x80 {
                if byte == 0 { return false }
                index += 1
                continue
            }
            switch decode(prefix, at: index) {
            case .scalar(_, let length): index += length
            case .invalid: return false
            case .truncated: return isCut
            }
        }
        return true
    }

    /// Largest index <= `index` that starts a scalar, so slicing never splits a character.
    static func scalarBoundary(_ bytes: UnsafeBufferPointer<UInt8>, atOrBefore index: Int) -> Int {
        var position = min(max(index, 0), bytes.count)
        var steps = 0
        while position > 0, position < bytes.count, isContinuation(bytes[position]), steps < 3 {
            position -= 1
            steps += 1
        }
        return position
    }
}
