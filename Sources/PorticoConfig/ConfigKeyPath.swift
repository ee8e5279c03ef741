/// Builds the dotted key paths (`server.allowed_origins[1]`) used in every issue, from either side of a load.
///
/// The node walker and the Codable decoder must spell paths identically, or issues lose their line numbers.
enum ConfigKeyPath {
    /// Path of `key` inside the mapping at `parent`; the document root is the empty path.
    static func child(_ parent: String, _ key: String) -> String {
        parent.isEmpty ? key : "\(parent).\(key)"
    }

    /// Path of the list element at `index` inside the sequence at `parent`.
    static func element(_ parent: String, _ index: Int) -> String {
        "\(parent)[\(index)]"
    }

    /// Path for a Codable coding path; integer keys are list indices.
    static func render(_ codingPath: [any CodingKey]) -> String {
        codingPath.reduce("") { path, key in
            if let index = key.intValue {
                return element(path, index)
            }
            return child(path, key.stringValue)
        }
    }
}
