import ArgumentParser
import MCPAuth

struct Auth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "API keys for `auth.api_keys`.",
        subcommands: [NewKey.self, HashKey.self])

    struct NewKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "new-key",
            abstract: "Make a random API key and print it with the config entry that accepts it.",
            discussion: """
                The key is shown once; only its salted hash goes into portico.yaml.

                Example:
                  portico auth new-key --name ci --scope mcp --scope mcp:write
                """)

        @Option(help: "Name of the key: the caller's identity in logs and sessions (key:<name>).")
        var name = "default"

        @Option(name: .customLong("scope"), help: "A scope the key grants (repeatable).")
        var scopes: [String] = []

        func run() {
            let key = APIKeyEntry.newKey()
            print("key: \(key)")
            print("")
            print("# add under auth.api_keys in portico.yaml:")
            print("- name: \(name)")
            print("  hash: \"\(APIKeyEntry.makeHash(of: key))\"")
            print("  scopes: [\(scopes.joined(separator: ", "))]")
        }
    }

    struct HashKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hash-key",
            abstract: "Print the salted hash of an existing key read from standard input.",
            discussion: """
                Example:
                  printf %s "$KEY" | portico auth hash-key
                """)

        func run() throws {
            guard let key = readLine(strippingNewline: true), !key.isEmpty else {
                throw ValidationError("no key on standard input")
            }
            print(APIKeyEntry.makeHash(of: key))
        }
    }
}
