/// Samples parsed from a Prometheus text exposition: what `portico status` and `portico
/// doctor` read back from `/metrics`. Comment lines are skipped; each sample keeps its name,
/// labels and value.
public struct MetricSamples: Sendable {
    public struct Sample: Sendable, Equatable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    public private(set) var samples: [Sample] = []

    public init(text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) where !line.hasPrefix("#") {
            if let sample = Self.parse(Substring(line)) { samples.append(sample) }
        }
    }

    /// The sum of every sample named `name` whose labels include `matching`.
    public func sum(_ name: String, where matching: [String: String] = [:]) -> Double {
        samples.reduce(0) { total, sample in
            guard sample.name == name, matching.allSatisfy({ sample.labels[$0.key] == $0.value }) else { return total }
            return total + sample.value
        }
    }

    /// The first sample's value, or `nil` when there is none.
    public func value(_ name: String, where matching: [String: String] = [:]) -> Double? {
        samples.first { sample in sample.name == name && matching.allSatisfy { sample.labels[$0.key] == $0.value } }?.value
    }

    /// Values of `name` grouped by one label.
    public func byLabel(_ name: String, _ label: String) -> [String: Double] {
        var result: [String: Double] = [:]
        for sample in samples where sample.name == name {
            result[sample.labels[label] ?? "", default: 0] += sample.value
        }
        return result
    }

    /// Cumulative bucket counts of histogram `name` summed over every series: `(le, count)` by rising `le`.
    public func buckets(_ name: String) -> [(upperBound: Double, count: Double)] {
        var counts: [Double: Double] = [:]
        for sample in samples where sample.name == name + "_bucket" {
            guard let le = sample.labels["le"].flatMap(Self.number) else { continue }
            counts[le, default: 0] += sample.value
        }
        return counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    static func number(_ text: String) -> Double? {
        switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(text)
        }
    }

    static func parse(_ line: Substring) -> Sample? {
        var labels: [String: String] = [:]
        let name: Substring
        var rest: Substring
        if let brace = line.firstIndex(of: "{") {
            name = line[..<brace]
            rest = line[line.index(after: brace)...]
            while true {
                rest = rest.drop { $0 == "," || $0 == " " }
                if rest.first == "}" {
                    rest = rest.dropFirst()
                    break
                }
                guard let equals = rest.firstIndex(of: "=") else { return nil }
                let key = String(rest[..<equals])
                rest = rest[rest.index(after: equals)...]
                guard rest.first == "\"" else { return nil }
                rest = rest.dropFirst()
                var value = ""
                var escaped = false
                var closed = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped {
                        value.append(character == "n" ? "\n" : character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        closed = true
                        break
                    } else {
                        value.append(character)
                    }
                }
                guard closed else { return nil }
                labels[key] = value
            }
        } else {
            guard let space = line.firstIndex(of: " ") else { return nil }
            name = line[..<space]
            rest = line[space...]
        }
        let fields = rest.split(separator: " ")
        guard let first = fields.first, let value = number(String(first)) else { return nil }
        return Sample(name: String(name), labels: labels, value: value)
    }
}
