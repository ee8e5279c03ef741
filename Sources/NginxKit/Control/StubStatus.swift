/// The figures of nginx's `stub_status` page. Split on whitespace: the page has stray spaces
/// at line ends (nginx notes §3.7).
public struct StubStatus: Sendable, Equatable, Codable {
    public var active: Int
    public var accepted: Int
    public var handled: Int
    public var requests: Int
    public var reading: Int
    public var writing: Int
    public var waiting: Int

    public init?(_ text: String) {
        let words = text.split(whereSeparator: \.isWhitespace)
        func number(after label: String) -> Int? {
            guard let index = words.firstIndex(where: { $0 == label }), index + 1 < words.count else { return nil }
            return Int(words[index + 1])
        }
        guard let active = number(after: "connections:"), let handledIndex = words.firstIndex(of: "requests"),
              handledIndex + 3 < words.count,
              let accepted = Int(words[handledIndex + 1]), let handled = Int(words[handledIndex + 2]), let requests = Int(words[handledIndex + 3]),
              let reading = number(after: "Reading:"), let writing = number(after: "Writing:"), let waiting = number(after: "Waiting:")
        else { return nil }
        self.active = active
        self.accepted = accepted
        self.handled = handled
        self.requests = requests
        self.reading = reading
        self.writing = writing
        self.waiting = waiting
    }
}
