import ArgumentParser

@main
struct PorticoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portico",
        abstract: "Run a remote MCP server on your own box.",
        discussion: """
            Serves the Model Context Protocol over Streamable HTTP: the stateless 2026-07-28
            revision and the session-based 2025-03-26, 2025-06-18 and 2025-11-25 revisions,
            on one endpoint.

            Examples:
              portico serve                                  # demo tools on http://127.0.0.1:8080/mcp
              portico serve --config portico.yaml --port 9000
              portico serve --fixture conformance --port 0   # the conformance suite's fixture
              portico check-config portico.yaml
            """,
        version: "0.1.0",
        subcommands: [Serve.self, Up.self, Edge.self, Status.self, Doctor.self, CheckConfig.self, Auth.self, Version.self],
        defaultSubcommand: Serve.self
    )
}
