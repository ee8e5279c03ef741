import ArgumentParser
import Portico

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the Portico version and the protocol versions it serves.")

    func run() {
        print("portico \(PorticoServer.version) (MCP 2026-07-28, 2025-11-25, 2025-06-18, 2025-03-26)")
    }
}
