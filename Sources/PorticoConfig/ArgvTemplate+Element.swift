extension ArgvTemplate {
    /// One parsed argv element: literal text and placeholders in order.
    struct Element: Sendable, Equatable {
        enum Segment: Sendable, Equatable {
            case literal(String)
            case placeholder(String)
        }

        /// The element as written, kept for error messages.
        let source: String
        let segments: [Segment]

        /// Equal when they expand alike: `{{a}}` and `{{ a }}` are the same template.
        static func == (lhs: Element, rhs: Element) -> Bool { lhs.segments == rhs.segments }

        /// Scans bytes rather than Characters: `{` and `}` are ASCII, so byte offsets are always
        /// on scalar boundaries, and slicing the UTF-8 view cannot split a multi-byte character.
        static func parse(_ source: String, index: Int) throws(ArgvTemplate.ParseError) -> Element {
            let bytes = Array(source.utf8)
            let open = UInt8(ascii: "{"), close = UInt8(ascii: "}")
            var segments: [Segment] = []
            var literal: [UInt8] = []
            var i = 0

            func at(_ j: Int, _ byte: UInt8) -> Bool { j < bytes.count && bytes[j] == byte }
            func flushLiteral() {
                if !literal.isEmpty {
                    segments.append(.literal(String(decoding: literal, as: UTF8.self)))
                    literal.removeAll(keepingCapacity: true)
                }
            }

            while i < bytes.count {
                guard at(i, open), at(i + 1, open) else {
                    literal.append(bytes[i])
                    i += 1
                    continue
                }
                // `{{{{` is the escape for a literal `{{`.
                if at(i + 2, open), at(i + 3, open) {
                    literal.append(contentsOf: [open, open])
                    i += 4
                    continue
                }
                var end = i + 2
                while end < bytes.count, !(at(end, close) && at(end + 1, close)) { end += 1 }
                guard end < bytes.count else {
                    throw ParseError(reason: .unclosedPlaceholder, elementIndex: index, element: source)
                }
                let raw = String(decoding: bytes[(i + 2)..<end], as: UTF8.self)
                let name = trimmingSpaces(raw)
                guard !name.isEmpty else {
                    throw ParseError(reason: .emptyName, elementIndex: index, element: source)
                }
                guard isValidName(name) else {
                    throw ParseError(reason: .invalidName(name), elementIndex: index, element: source)
                }
                flushLiteral()
                segments.append(.placeholder(name))
                i = end + 2
            }
            flushLiteral()
            return Element(source: source, segments: segments)
        }

        /// Names are identifiers plus `-` and `.`, matching what YAML authors use for tool
        /// arguments; anything else (a stray `{` or a space inside) is far more likely a typo.
        static func isValidName(_ name: String) -> Bool {
            var scalars = name.unicodeScalars.makeIterator()
            guard let first = scalars.next(), first.isASCIILetter || first == "_" else { return false }
            while let scalar = scalars.next() {
                guard scalar.isASCIILetter || ("0"..."9").contains(scalar)
                    || scalar == "_" || scalar == "-" || scalar == "." else { return false }
            }
            return true
        }

        static func trimmingSpaces(_ text: String) -> String {
            let trimmed = text.drop { $0 == " " }
            return String(trimmed.reversed().drop { $0 == " " }.reversed())
        }
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
