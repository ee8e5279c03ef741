/// Finds the known word an operator most likely meant, for "did you mean" hints.
enum KeySuggestion {
    /// The candidate closest to `word`, or `nil` when none is close enough to be a plausible typo.
    ///
    /// Spelling variants (`publicURL`, `Public-Url`) match their snake_case key outright; otherwise the
    /// allowed distance grows with the word so short keys do not match everything.
    static func closest(to word: String, among candidates: [String]) -> String? {
        let normalizedWord = normalized(word)
        if let variant = candidates.first(where: { normalized($0) == normalizedWord }) {
            return variant
        }
        let limit = max(1, min(3, word.count / 3))
        let scored = candidates
            .map { (candidate: $0, distance: distance(normalizedWord, normalized($0))) }
            .filter { $0.distance <= limit }
        return scored.min { $0.distance < $1.distance }?.candidate
    }

    /// Lowercased with separators removed, so case and snake/camel/kebab spelling do not count as typos.
    private static func normalized(_ word: String) -> String {
        String(word.lowercased().filter { $0 != "_" && $0 != "-" })
    }

    /// Optimal-string-alignment distance: Levenshtein plus adjacent transpositions, since `prot` for
    /// `port` is one slip of the fingers, not two.
    static func distance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs)
        let b = Array(rhs)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var best = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    best = min(best, table[i - 2][j - 2] + 1)
                }
                table[i][j] = best
            }
        }
        return table[a.count][b.count]
    }
}
