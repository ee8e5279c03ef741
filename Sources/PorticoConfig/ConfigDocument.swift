import Foundation
import Yams

/// A parsed `portico.yaml` before decoding: the node tree, where every known key sits, and any unknown keys.
///
/// Codable throws away positions, so this index is what lets every issue carry a line number.
struct ConfigDocument {
    /// Where a key (or list element) was written and what value it holds.
    struct Location {
        /// 1-based line of the key itself, or of the element for list items.
        var line: Int?
        /// The value node, used to describe what was found when it has the wrong type.
        var value: Node
    }

    /// The document's top-level mapping, or `nil` when the file is empty or not a mapping.
    private(set) var root: Node?
    private(set) var locations: [String: Location] = [:]
    /// Structural problems: unknown keys, non-string keys, a top level that is not a mapping.
    private(set) var issues: [ConfigIssue] = []

    /// Parses `yaml`; a syntax error is thrown as a single located issue because nothing after it is reliable.
    init(yaml: String, schema: ConfigSchema = .portico) throws(ConfigIssue) {
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch {
            throw Self.issue(for: error)
        }
        guard let node, !Self.isNull(node) else { return }
        guard case .mapping = node else {
            let sections = schema.keys.joined(separator: ", ")
            issues.append(ConfigIssue(
                keyPath: "",
                line: node.mark?.line,
                message: "expected a mapping with the sections \(sections), got \(Self.summary(of: node))"
            ))
            return
        }
        root = node
        walk(node, schema: schema, path: "", whole: schema)
    }

    /// Line of `keyPath`, if it was written in the file.
    func line(for keyPath: String) -> Int? {
        locations[keyPath]?.line
    }

    /// The value written at `keyPath`, if any.
    func value(at keyPath: String) -> Node? {
        locations[keyPath]?.value
    }

    private mutating func walk(_ node: Node, schema: ConfigSchema, path: String, whole: ConfigSchema) {
        switch (schema, node) {
        case let (.section, .mapping(mapping)):
            for (keyNode, valueNode) in mapping {
                guard case let .scalar(scalar) = keyNode else {
                    issues.append(ConfigIssue(
                        keyPath: path,
                        line: keyNode.mark?.line,
                        message: "keys must be plain words, got \(Self.summary(of: keyNode))"
                    ))
                    continue
                }
                let keyPath = ConfigKeyPath.child(path, scalar.string)
                guard let childSchema = schema.child(scalar.string) else {
                    issues.append(ConfigIssue(
                        keyPath: keyPath,
                        line: keyNode.mark?.line,
                        message: Self.unknownKeyMessage(scalar.string, in: schema, path: path, whole: whole)
                    ))
                    continue
                }
                locations[keyPath] = Location(line: keyNode.mark?.line, value: valueNode)
                walk(valueNode, schema: childSchema, path: keyPath, whole: whole)
            }
        case let (.list(element), .sequence(sequence)):
            for (index, elementNode) in sequence.enumerated() {
                let elementPath = ConfigKeyPath.element(path, index)
                locations[elementPath] = Location(line: elementNode.mark?.line, value: elementNode)
                walk(elementNode, schema: element, path: elementPath, whole: whole)
            }
        case let (.value, .sequence(sequence)):
            for (index, element) in sequence.enumerated() {
                locations[ConfigKeyPath.element(path, index)] = Location(line: element.mark?.line, value: element)
            }
        default:
            // A value of the wrong shape is left to the decoder, which knows what type was expected.
            break
        }
    }

    private static func unknownKeyMessage(
        _ key: String,
        in schema: ConfigSchema,
        path: String,
        whole: ConfigSchema
    ) -> String {
        let known = schema.keys
        if let suggestion = KeySuggestion.closest(to: key, among: known) {
            return "unknown key '\(key)'; did you mean '\(suggestion)'?"
        }
        // A correctly spelled key in the wrong section is a common slip; point at where it belongs.
        let elsewhere = whole.leafPaths().filter { $0.hasSuffix(".\(key)") && $0 != ConfigKeyPath.child(path, key) }
        if let home = elsewhere.first {
            return "unknown key '\(key)'; did you mean '\(home)'?"
        }
        return "unknown key '\(key)'; expected one of: \(known.joined(separator: ", "))"
    }

    /// Short human description of a node, for "expected X, got Y" messages.
    static func summary(of node: Node) -> String {
        switch node {
        case let .scalar(scalar):
            return isNull(node) ? "an empty value" : "'\(scalar.string)'"
        case .mapping:
            return "a mapping"
        case .sequence:
            return "a list"
        case .alias:
            return "an alias"
        }
    }

    private static func isNull(_ node: Node) -> Bool {
        guard case .scalar = node else { return false }
        return node.null != nil
    }

    private static func issue(for error: any Error) -> ConfigIssue {
        guard let yamlError = error as? YamlError else {
            return ConfigIssue(keyPath: "", message: "invalid YAML: \(error)")
        }
        switch yamlError {
        case let .scanner(context, problem, mark, _),
             let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let detail = context.map { "\($0.text): " } ?? ""
            return ConfigIssue(keyPath: "", line: mark.line, message: "invalid YAML: \(detail)\(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return ConfigIssue(
                keyPath: "",
                line: context.mark.line > 0 ? context.mark.line : nil,
                message: "duplicate key \(keys); each key may appear only once per section"
            )
        case let .reader(problem, _, _, _):
            return ConfigIssue(keyPath: "", message: "unreadable YAML: \(problem)")
        default:
            return ConfigIssue(keyPath: "", message: "invalid YAML: \(yamlError)")
        }
    }
}
