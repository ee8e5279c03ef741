import MCPBridge
import PorticoConfig
import Testing

/// Arguments that a shell would interpret must reach the program literally, each as one element.
@Suite("Hostile arguments")
struct HostileArgumentTests {
    static let hostile: [String] = [
        "; rm -rf /",
        "$(id)",
        "`id`",
        "a\nb",
        "'single' \"double\"",
        "*",
        "~",
        "a b\tc",
        "-n",
        "--",
        "%s %d %%",
        "\\",
        "",
        "> /tmp/x | cat &",
        "$HOME ${PATH}",
        "é ☃ 🙂",
        String(repeating: "x", count: 100_000),
    ]

    /// Echoers that write back their argv, NUL-separated: printf directly, and printf behind a
    /// real shell to show `"$@"` passes values through without re-parsing them.
    static let echoers: [[String]] = [
        ["/usr/bin/printf", "%s\\0"],
        ["/bin/sh", "-c", "printf '%s\\0' \"$@\"", "sh"],
    ]

    @Test("each hostile argument arrives as exactly one literal argv element", arguments: echoers)
    func hostileArgumentsAreLiteral(_ echoer: [String]) async throws {
        let outcome = try await CommandRunner.run(CommandSpec(argv: echoer + Self.hostile, maxOutputBytes: 1 << 20))
        #expect(outcome.termination == .exited(0))
        #expect(TestSupport.splitNUL(outcome.stdout) == Self.hostile)
    }

    @Test("one hostile argument alone", arguments: hostile.filter { $0.utf8.count < 100 })
    func singleHostileArgument(_ argument: String) async throws {
        let outcome = try await CommandRunner.run(CommandSpec(argv: ["/usr/bin/printf", "%s\\0", argument]))
        #expect(TestSupport.splitNUL(outcome.stdout) == [argument])
    }

    /// Linux limits one argv element to 128 KiB (MAX_ARG_STRLEN); a 1 MB argument must fail as
    /// a typed launch error, not crash or get cut.
    @Test func oneMegabyteArgumentIsALaunchErrorNotACrash() async throws {
        let huge = String(repeating: "y", count: 1 << 20)
        await #expect {
            _ = try await CommandRunner.run(CommandSpec(argv: ["/usr/bin/printf", "%s", huge]))
        } throws: { error in
            guard case .launchFailed = error as? CommandRunError else { return false }
            return true
        }
    }

    struct NULCase: Sendable {
        var argv: [String]
        var index: Int
    }

    @Test("NUL in an argument is refused before anything is spawned", arguments: [
        NULCase(argv: ["/bin/sh", "-c", "touch \"$1\"", "sh", "MARKER", "a\0b"], index: 5),
        NULCase(argv: ["/bin/sh\0x", "-c", "touch \"$1\"", "sh", "MARKER"], index: 0),
        NULCase(argv: ["/bin/sh", "-c", "touch \"$1\"", "sh", "MARKER", "\0"], index: 5),
    ])
    func nulIsRefusedBeforeSpawning(_ c: NULCase) async throws {
        let marker = TestSupport.uniquePath("nul")
        let argv = c.argv.map { $0 == "MARKER" ? marker : $0 }
        await #expect(throws: CommandRunError.nulInArgument(index: c.index)) {
            _ = try await CommandRunner.run(CommandSpec(argv: argv))
        }
        #expect(!TestSupport.fileExists(marker))
    }

    @Test func nulInEnvironmentIsRefusedBeforeSpawning() async throws {
        let marker = TestSupport.uniquePath("nulenv")
        await #expect(throws: CommandRunError.nulInEnvironment(name: "BAD")) {
            _ = try await CommandRunner.run(CommandSpec(
                argv: ["/bin/sh", "-c", "touch \"$1\"", "sh", marker], environment: ["BAD": "x\0y"]))
        }
        #expect(!TestSupport.fileExists(marker))
    }
}
