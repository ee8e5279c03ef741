import Glibc

/// A document ready to enter the index: tokenised off the lock, merged under it.
struct PreparedDocument: Sendable {
    var id: String
    var title: String
    var stamp: FileStamp
    /// Weighted term frequencies (title terms count several times, see `FolderIndex`).
    var termCounts: [String: UInt32]
    var length: UInt32
}

/// The BM25 index proper: term dictionary, postings, per-document forward lists.
///
/// Layout follows the research notes: postings per term sorted by document slot,
/// and for each document the list of (term, tf) it contributed, so removing or
/// updating one file costs O(its distinct terms) instead of a sweep of all postings.
/// Freed document slots and term ids are reused so a long-running watcher does not
/// grow the arrays with churn.
struct InvertedIndex {
    struct Posting {
        var doc: UInt32
        var tf: UInt16
    }

    struct TermCount {
        var term: UInt32
        var tf: UInt16
    }

    struct Document {
        var id: String
        var title: String
        var stamp: FileStamp
        var length: UInt32
        var terms: [TermCount]
    }

    private(set) var termIDs: [String: UInt32] = [:]
    private var terms: [String] = []
    private var postings: [[Posting]] = []
    private var freeTerms: [UInt32] = []
    private(set) var documents: [Document?] = []
    private var freeSlots: [UInt32] = []
    private(set) var slotByID: [String: UInt32] = [:]
    /// Document lengths by slot, apart from `documents` so the scoring loop touches
    /// 4 bytes per posting instead of a whole `Document`. 0 marks a free slot.
    private var lengths: [UInt32] = []
    private var totalLength = 0
    /// Reused per query so scoring never allocates an array of the corpus size.
    private var accumulator: [Double] = []

    var count: Int { slotByID.count }

    func document(id: String) -> Document? {
        guard let slot = slotByID[id] else { return nil }
        return documents[Int(slot)]
    }

    /// Bumped by every change, so readers of the document list can tell nothing changed.
    private(set) var generation: UInt64 = 0

    /// Adds the document, replacing any previous version with the same id.
    mutating func upsert(_ prepared: PreparedDocument) {
        generation &+= 1
        remove(id: prepared.id)
        let slot: UInt32
        if let reused = freeSlots.popLast() {
            slot = reused
        } else {
            slot = UInt32(documents.count)
            documents.append(nil)
            lengths.append(0)
        }
        var forward: [TermCount] = []
        forward.reserveCapacity(prepared.termCounts.count)
        for (term, count) in prepared.termCounts {
            let tf = UInt16(clamping: count)
            let termID = intern(term)
            insert(Posting(doc: slot, tf: tf), into: Int(termID))
            forward.append(TermCount(term: termID, tf: tf))
        }
        documents[Int(slot)] = Document(
            id: prepared.id, title: prepared.title, stamp: prepared.stamp,
            length: prepared.length, terms: forward)
        slotByID[prepared.id] = slot
        lengths[Int(slot)] = max(prepared.length, 1)
        totalLength += Int(prepared.length)
    }

    mutating func remove(id: String) {
        guard let slot = slotByID.removeValue(forKey: id), let document = documents[Int(slot)] else { return }
        generation &+= 1
        for entry in document.terms {
            let termID = Int(entry.term)
            if let position = find(slot, in: termID) {
                postings[termID].remove(at: position)
            }
            if postings[termID].isEmpty {
                termIDs.removeValue(forKey: terms[termID])
                terms[termID] = ""
                postings[termID] = []
                freeTerms.append(entry.term)
            }
        }
        documents[Int(slot)] = nil
        lengths[Int(slot)] = 0
        freeSlots.append(slot)
        totalLength -= Int(document.length)
    }

    /// BM25 (k1 = 1.2, b = 0.75, Lucene's idf) over `queryTerms`; returns the best
    /// `limit` slots by score, ties broken by id so results are reproducible.
    mutating func topDocuments(for queryTerms: [String], limit: Int) -> [(slot: UInt32, score: Double)] {
        let docCount = slotByID.count
        guard limit > 0, docCount > 0 else { return [] }
        let k1 = 1.2
        let b = 0.75
        let n = Double(docCount)
        let averageLength = max(Double(totalLength) / n, 1)
        if accumulator.count < documents.count {
            accumulator = [Double](repeating: 0, count: documents.count)
        }
        var touched: [UInt32] = []
        var seen = Set<UInt32>()
        for term in queryTerms {
            guard let termID = termIDs[term], seen.insert(termID).inserted else { continue }
            let list = postings[Int(termID)]
            let df = Double(list.count)
            let idf = log(1 + (n - df + 0.5) / (df + 0.5))
            for posting in list {
                let doc = Int(posting.doc)
                let length = lengths[doc]
                let tf = Double(posting.tf)
                let norm = k1 * (1 - b + b * Double(length) / averageLength)
                if accumulator[doc] == 0 { touched.append(posting.doc) }
                accumulator[doc] += idf * tf * (k1 + 1) / (tf + norm)
            }
        }
        // Bounded insertion into a small sorted array: k is tiny, so this beats sorting `touched`.
        var best: [(slot: UInt32, score: Double)] = []
        best.reserveCapacity(min(limit, touched.count) + 1)
        for slot in touched {
            let score = accumulator[Int(slot)]
            accumulator[Int(slot)] = 0
            if best.count == limit, let worst = best.last, !ranksBefore((slot, score), worst) { continue }
            var position = best.count
            while position > 0, ranksBefore((slot, score), best[position - 1]) { position -= 1 }
            best.insert((slot, score), at: position)
            if best.count > limit { best.removeLast() }
        }
        return best
    }

    /// Rough heap footprint in bytes: postings and forward entries at 8 B each plus the term strings.
    var memoryEstimate: Int {
        var bytes = 0
        for list in postings { bytes += list.capacity * MemoryLayout<Posting>.stride }
        for document in documents {
            guard let document else { continue }
            bytes += document.terms.capacity * MemoryLayout<TermCount>.stride + document.id.utf8.count * 2 + 96
        }
        for term in terms { bytes += max(term.utf8.count, 16) + 24 }
        return bytes + accumulator.capacity * 8
    }

    private func ranksBefore(_ a: (slot: UInt32, score: Double), _ b: (slot: UInt32, score: Double)) -> Bool {
        if a.score != b.score { return a.score > b.score }
        let idA = documents[Int(a.slot)]?.id ?? ""
        let idB = documents[Int(b.slot)]?.id ?? ""
        return idA < idB
    }

    private mutating func intern(_ term: String) -> UInt32 {
        if let existing = termIDs[term] { return existing }
        let termID: UInt32
        if let reused = freeTerms.popLast() {
            termID = reused
            terms[Int(reused)] = term
        } else {
            termID = UInt32(terms.count)
            terms.append(term)
            postings.append([])
        }
        termIDs[term] = termID
        return termID
    }

    /// Keeps each postings list sorted by slot; new slots are usually the largest, so this is an append.
    private mutating func insert(_ posting: Posting, into termID: Int) {
        if let last = postings[termID].last, last.doc > posting.doc {
            var low = 0
            var high = postings[termID].count
            while low < high {
                let mid = (low + high) / 2
                if postings[termID][mid].doc < posting.doc { low = mid + 1 } else { high = mid }
            }
            postings[termID].insert(posting, at: low)
        } else {
            postings[termID].append(posting)
        }
    }

    private func find(_ slot: UInt32, in termID: Int) -> Int? {
        let list = postings[termID]
        var low = 0
        var high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid].doc < slot { low = mid + 1 } else { high = mid }
        }
        return low < list.count && list[low].doc == slot ? low : nil
    }
}
