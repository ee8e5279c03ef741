/// nginx's time syntax (`60`, `60s`, `1h`, `500ms`, `1m30s`), read the way nginx's
/// `ngx_parse_time` reads it, so a timeout in the live config compares with seconds in YAML.
public enum NginxTime {
    /// Seconds for `text`, or `nil` when nginx would reject it.
    public static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("y", 31_536_000), ("M", 2_592_000), ("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]
        var total = 0.0
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard let value = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            if rest.isEmpty { return total + value }
            guard let unit = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            total += value * unit.1
            rest = rest.dropFirst(unit.0.count)
        }
        return total
    }
}
