import PorticoConfig
import Testing

/// Decodes `yaml` expecting failure and returns the reported issues (empty, with a recorded failure, if none).
func issues(in yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> [ConfigIssue] {
    let error = #expect(throws: ConfigError.self, sourceLocation: sourceLocation) {
        try PorticoConfiguration.decode(yaml: yaml)
    }
    return error?.issues ?? []
}
