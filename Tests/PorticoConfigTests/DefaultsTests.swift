import PorticoConfig
import Testing

struct DefaultsTests {
    @Test(arguments: [
        "",
        "\n\n",
        "# only a comment\n",
        "---\n",
        "~\n",
        "server:\nlimits:\nlogging:\ntools:\n",
        "server: {}\nlimits: {}\n",
        "server:\n  port:\n  host: ~\n",
    ])
    func documentsWithoutValuesDecodeToDefaults(yaml: String) throws {
        #expect(try PorticoConfiguration.decode(yaml: yaml) == PorticoConfiguration())
    }

    @Test func defaultsMatchTheDocumentedValues() {
        let configuration = PorticoConfiguration()
        #expect(configuration.server == PorticoConfiguration.Server(
            host: "127.0.0.1",
            port: 8080,
            path: "/mcp",
            publicURL: nil,
            allowedOrigins: [],
            allowedHosts: [],
            drainTimeoutSeconds: 10
        ))
        #expect(configuration.limits == PorticoConfiguration.Limits(
            maxBodyBytes: 4_194_304,
            maxSessions: 10_000,
            sessionIdleTimeoutSeconds: 1_800,
            pageSize: 100
        ))
        #expect(configuration.logging == PorticoConfiguration.Logging(level: .info, format: .text))
        #expect(configuration.tools.packs == [.demo])
    }

    @Test func defaultsPassValidation() {
        #expect(PorticoConfiguration().validate().isEmpty)
    }
}
