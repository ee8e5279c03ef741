/// Elements in registration order with O(1) lookup by key; the storage behind each registry list.
struct KeyedList<Element: Sendable>: Sendable {
    private(set) var elements: [Element] = []
    private var index: [String: Int] = [:]
    private let key: @Sendable (Element) -> String

    init(key: @escaping @Sendable (Element) -> String) { self.key = key }

    subscript(key: String) -> Element? { index[key].map { elements[$0] } }

    /// Appends `element`; `false` when its key is taken.
    mutating func insert(_ element: Element) -> Bool {
        let name = key(element)
        guard index[name] == nil else { return false }
        index[name] = elements.count
        elements.append(element)
        return true
    }

    /// Removes the element with `key`; `false` when there is none.
    mutating func remove(key name: String) -> Bool {
        guard let position = index.removeValue(forKey: name) else { return false }
        elements.remove(at: position)
        for (offset, element) in elements.enumerated().dropFirst(position) { index[key(element)] = offset }
        return true
    }
}

extension KeyedList {
    var isEmpty: Bool { elements.isEmpty }
}
