import Glibc
import Synchronization

extension FolderIndex {
    /// Ranks documents for `query` with BM25 (k1 1.2, b 0.75); terms in the file name
    /// and directory names count extra. Equal scores are ordered by id so the same
    /// query always gives the same list. The lock is held only for scoring; snippets
    /// are cut afterwards from a fresh read of each hit.
    public func search(_ query: String, limit: Int = 10) -> [SearchHit] {
        let terms = Tokenizer.tokens(of: query)
        guard !terms.isEmpty, limit > 0 else { return [] }
        let ranked: [(id: String, title: String, score: Double)] = state.withLock { state in
            state.index.topDocuments(for: terms, limit: limit).compactMap { hit in
                guard let document = state.index.documents[Int(hit.slot)] else { return nil }
                return (document.id, document.title, hit.score)
            }
        }
        let wanted = Set(terms).map { Array($0.utf8) }
        return ranked.map { hit in
            SearchHit(id: hit.id, title: hit.title, score: hit.score, snippet: snippet(id: hit.id, terms: wanted))
        }
    }

    /// Target snippet size in characters, and how much of it precedes the match.
    static let snippetLength = 200
    static let snippetLead = 60

    /// About 200 characters around the first body occurrence of any query term, or the
    /// start of the file when only the name matched. Empty if the file is gone.
    func snippet(id: String, terms: [[UInt8]]) -> String {
        guard let (fd, stamp) = try? opener.openFile(id: id, maxBytes: options.maxFileBytes) else { return "" }
        defer { close(fd) }
        guard case .success(let bytes) = readPrefix(of: fd, limit: min(stamp.size, options.indexedBytesPerFile))
        else { return "" }
        return bytes.withUnsafeBufferPointer { buffer in
            var matchStart = 0
            Tokenizer.forEachTokenBytes(in: buffer) { token, range in
                guard terms.contains(where: { $0.elementsEqual(token) }) else { return true }
                matchStart = range.lowerBound
                return false
            }
            return Self.snippet(in: buffer, around: matchStart)
        }
    }

    /// Cuts the snippet on scalar boundaries, collapses whitespace, and trims a cut
    /// edge back to a word boundary so the snippet does not start mid-word.
    static func snippet(in buffer: UnsafeBufferPointer<UInt8>, around matchStart: Int) -> String {
        // Bytes are a generous upper bound on characters; trimmed by scalars below.
        let lowerByte = UTF8Scanner.scalarBoundary(buffer, atOrBefore: matchStart - snippetLead * 3)
        let upperByte = UTF8Scanner.scalarBoundary(buffer, atOrBefore: matchStart + snippetLength * 3)
        let before = collapse(UnsafeBufferPointer(rebasing: buffer[lowerByte..<matchStart]))
        let after = collapse(UnsafeBufferPointer(rebasing: buffer[matchStart..<upperByte]))

        var lead = Substring(before)
        var cutBefore = lowerByte > 0
        if lead.unicodeScalars.count > snippetLead {
            lead = Substring(lead.unicodeScalars.suffix(snippetLead))
            cutBefore = true
        }
        if cutBefore, let space = lead.firstIndex(of: " ") {
            lead = lead[lead.index(after: space)...]
        }
        let budget = snippetLength - lead.unicodeScalars.count
        var tail = Substring(after)
        var cutAfter = upperByte < buffer.count
        if tail.unicodeScalars.count > budget {
            tail = Substring(tail.unicodeScalars.prefix(budget))
            cutAfter = true
        }
        if cutAfter, let space = tail.lastIndex(of: " "), space > tail.startIndex {
            tail = tail[..<space]
        }
        let joined = trimmingSpaces(lead + tail)
        return (cutBefore && !lead.isEmpty ? "…" : "") + joined + (cutAfter ? "…" : "")
    }

    /// Runs of whitespace (including newlines) become one space. Works on bytes with
    /// an ASCII fast path: Unicode property lookups per character dominated query time.
    static func collapse(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var pendingSpace = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            var length = 1
            var isSpace: Bool
            if byte < 0x80 {
                isSpace = byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
            } else if case .scalar(let scalar, let scalarLength) = UTF8Scanner.decode(bytes, at: index) {
                length = scalarLength
                isSpace = scalar.properties.isWhitespace
            } else {
                isSpace = false
            }
            if isSpace {
                pendingSpace = true
            } else {
                if pendingSpace { output.append(0x20) }
                pendingSpace = false
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<(index + length)]))
            }
            index += length
        }
        if pendingSpace { output.append(0x20) }
        return String(decoding: output, as: UTF8.self)
    }

    static func trimmingSpaces(_ text: Substring) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " }),
            let last = scalars.lastIndex(where: { $0 != " " })
        else { return "" }
        return String(text[first...last])
    }
}
