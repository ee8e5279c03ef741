import MCPBridge
import PorticoConfig
import Testing

@Suite("Launch errors")
struct LaunchErrorTests {
    @Test("a missing executable is executableNotFound", arguments: [
        "/nonexistent/program", "no-such-program-cmdrun-test", "/etc/passwd", "/tmp",
    ])
    func missingExecutable(_ program: String) async {
        await #expect(throws: CommandRunError.executableNotFound(program)) {
            _ = try await CommandRunner.run(CommandSpec(argv: [program]))
        }
    }

    @Test("a missing working directory is workingDirectoryMissing", arguments: [
        "/nonexistent/dir", "/etc/passwd",
    ])
    func missingWorkingDirectory(_ path: String) async {
        await #expect(throws: CommandRunError.workingDirectoryMissing(path)) {
            _ = try await CommandRunner.run(CommandSpec(argv: ["/bin/true"], workingDirectory: path))
        }
    }

    @Test func emptyArgvIsRefused() async {
        await #expect(throws: CommandRunError.emptyArgv) {
            _ = try await CommandRunner.run(CommandSpec(argv: []))
        }
    }
}
