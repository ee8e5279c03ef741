/// Appends families in the Prometheus text exposition format (version 0.0.4) for figures
/// read at scrape time: gauges of live state and counters kept elsewhere (nginx's, a
/// source's restarts), which a registry handle could only mirror by replaying increments.
struct ExpositionWriter {
    private(set) var bytes: [UInt8]

    init(appendingTo bytes: [UInt8]) {
        self.bytes = bytes
    }

    enum Kind: String {
        case gauge
        case counter
    }

    /// `# HELP` and `# TYPE` lines; call once per family, before its samples.
    mutating func family(_ name: String, _ kind: Kind, help: String) {
        bytes.append(contentsOf: "# HELP \(name) \(help)\n# TYPE \(name) \(kind.rawValue)\n".utf8)
    }

    mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String> = [:], _ value: Double) {
        bytes.append(contentsOf: name.utf8)
        if !labels.isEmpty {
            bytes.append(UInt8(ascii: "{"))
            for (index, (label, labelValue)) in labels.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes.append(contentsOf: label.utf8)
                bytes.append(contentsOf: "=\"".utf8)
                appendEscaped(labelValue)
                bytes.append(UInt8(ascii: "\""))
            }
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: " "))
        if value == value.rounded(), abs(value) < 1e15 {
            bytes.append(contentsOf: String(Int64(value)).utf8)
        } else {
            bytes.append(contentsOf: "\(value)".utf8)
        }
        bytes.append(UInt8(ascii: "\n"))
    }

    mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String> = [:], _ value: Int) {
        sample(name, labels, Double(value))
    }

    /// A family of one unlabelled sample.
    mutating func single(_ name: String, _ kind: Kind, help: String, _ value: Double) {
        family(name, kind, help: help)
        sample(name, [:], value)
    }

    /// Label values escape backslash, double quote and line feed (exposition format §Text format details).
    private mutating func appendEscaped(_ text: String) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\n"): bytes.append(contentsOf: #"\n"#.utf8)
            default: bytes.append(byte)
            }
        }
    }
}
