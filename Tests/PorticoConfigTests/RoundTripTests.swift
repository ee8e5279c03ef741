import Foundation
import PorticoConfig
import Testing

struct RoundTripTests {
    static let fullFile = """
        server:
          host: 0.0.0.0
          port: 9443
          path: /api/mcp
          public_url: https://mcp.example.com/api/mcp
          allowed_origins: [https://app.example.com, "*"]
          allowed_hosts: [mcp.example.com, "mcp.example.com:9443"]
          drain_timeout_seconds: 30
        limits:
          max_body_bytes: 1048576
          max_sessions: 50
          session_idle_timeout_seconds: 600
          page_size: 25
        logging:
          level: debug
          format: json
        tools:
          packs: [conformance, demo]
        """

    static let fullConfiguration = PorticoConfiguration(
        server: .init(
            host: "0.0.0.0",
            port: 9443,
            path: "/api/mcp",
            publicURL: "https://mcp.example.com/api/mcp",
            allowedOrigins: ["https://app.example.com", "*"],
            allowedHosts: ["mcp.example.com", "mcp.example.com:9443"],
            drainTimeoutSeconds: 30
        ),
        limits: .init(maxBodyBytes: 1_048_576, maxSessions: 50, sessionIdleTimeoutSeconds: 600, pageSize: 25),
        logging: .init(level: .debug, format: .json),
        tools: .init(packs: [.conformance, .demo])
    )

    /// `Tests/PorticoConfigTests/<this file>` → package root.
    static let exampleFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("portico.example.yaml")
        .path

    @Test func fullFileDecodesEveryKey() throws {
        #expect(try PorticoConfiguration.decode(yaml: Self.fullFile) == Self.fullConfiguration)
    }

    @Test(arguments: [PorticoConfiguration(), fullConfiguration])
    func encodedYAMLDecodesToTheSameConfiguration(configuration: PorticoConfiguration) throws {
        let yaml = try configuration.encodedYAML()
        #expect(try PorticoConfiguration.decode(yaml: yaml) == configuration)
    }

    @Test func exampleFileLoadsAsTheDefaults() throws {
        // Required because a missing file would also load as the defaults.
        try #require(FileManager.default.fileExists(atPath: Self.exampleFile))
        #expect(try PorticoConfiguration.load(contentsOf: Self.exampleFile) == PorticoConfiguration())
    }

    @Test func exampleFileRoundTrips() throws {
        try #require(FileManager.default.fileExists(atPath: Self.exampleFile))
        let loaded = try PorticoConfiguration.load(contentsOf: Self.exampleFile)
        #expect(try PorticoConfiguration.decode(yaml: loaded.encodedYAML()) == loaded)
    }

    @Test func exampleFileDocumentsEveryKey() throws {
        let example = try String(contentsOfFile: Self.exampleFile, encoding: .utf8)
        // A fully populated configuration encodes every key, so this list grows with the schema.
        let keys = try Self.fullConfiguration.encodedYAML()
            .split(separator: "\n")
            .compactMap { line in line.split(separator: ":").first?.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.hasPrefix("-") && !$0.isEmpty }
        // Guards the line parsing above: if it broke, the loop below would check nothing.
        #expect(keys.contains("server") && keys.contains("drain_timeout_seconds") && keys.contains("packs"))
        for key in keys {
            #expect(example.contains("\n\(key):") || example.contains(" \(key):"), "example lacks '\(key)'")
        }
    }
}
