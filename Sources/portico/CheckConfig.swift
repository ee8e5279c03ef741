import ArgumentParser
import PorticoConfig

#if canImport(Glibc)
import Glibc
#endif

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a config file and report every problem with its key path and line.",
        discussion: """
            Exit status 0 when the file is valid, 2 when it is not.

            Example:
              portico check-config portico.yaml
            """)

    @Argument(help: "Path of the YAML config file.")
    var file: String

    func run() throws {
        guard access(file, R_OK) == 0 else {
            throw ValidationError("\(file): cannot read the file")
        }
        do {
            _ = try PorticoConfiguration.load(contentsOf: file)
            print("\(file): OK")
        } catch let error as ConfigError {
            StandardStreams.writeError(error.description + "\n")
            throw ExitCode(2)
        }
    }
}

