import MCPBridge
import PorticoConfig
import Testing

@Suite("Command I/O")
struct CommandIOTests {
    @Test func stdinJSONReachesTheChild() async throws {
        let json = Array(#"{"query":"a; b","n":[1,2.5,true,null],"s":"é\u2028"}"#.utf8)
        let outcome = try await CommandRunner.run(CommandSpec(argv: ["/bin/cat"], stdin: json))
        #expect(outcome.termination == .exited(0))
        #expect(outcome.stdout == json)
    }

    @Test func largeStdinIsFullyDeliveredWhileStdoutIsDrained() async throws {
        let input = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let outcome = try await CommandRunner.run(CommandSpec(argv: ["/bin/cat"], stdin: input, maxOutputBytes: 4_000_000))
        #expect(outcome.totalStdoutBytes == input.count)
        #expect(outcome.stdout == input)
        #expect(!outcome.stdoutTruncated)
    }

    @Test("a child that ignores or closes stdin neither blocks nor crashes us", arguments: [
        ["/bin/true"],
        ["/usr/bin/head", "-c", "1"],
        ["/bin/sh", "-c", "exec 0<&-; echo closed"],
    ])
    func childIgnoringStdin(_ argv: [String]) async throws {
        let input = [UInt8](repeating: 0x61, count: 2_000_000)
        let outcome = try await CommandRunner.run(CommandSpec(argv: argv, stdin: input, timeout: .seconds(20)))
        #expect(outcome.termination == .exited(0))
    }

    struct CapCase: Sendable {
        var produced: Int
        var cap: Int
    }

    @Test("stdout is capped, counted and drained", arguments: [
        CapCase(produced: 0, cap: 10),
        CapCase(produced: 10, cap: 10),
        CapCase(produced: 11, cap: 10),
        CapCase(produced: 5_000_000, cap: 1000),
        CapCase(produced: 100, cap: 0),
    ])
    func stdoutCap(_ c: CapCase) async throws {
        let outcome = try await CommandRunner.run(CommandSpec(
            argv: ["/usr/bin/head", "-c", "\(c.produced)", "/dev/zero"], timeout: .seconds(20), maxOutputBytes: c.cap))
        // exited(0), not timedOut: head was never blocked on a full pipe
        #expect(outcome.termination == .exited(0))
        #expect(outcome.stdout.count == min(c.produced, c.cap))
        #expect(outcome.totalStdoutBytes == c.produced)
        #expect(outcome.stdoutTruncated == (c.produced > c.cap))
    }

    @Test func nonZeroExitKeepsTheStderrTail() async throws {
        let outcome = try await CommandRunner.run(CommandSpec(
            argv: ["/bin/sh", "-c", "echo partial; echo '  first' >&2; echo 'boom: bad input  ' >&2; exit 3"]))
        #expect(outcome.termination == .exited(3))
        #expect(outcome.stderrTail == "first\nboom: bad input")
        #expect(TestSupport.text(outcome.stdout) == "partial\n")
    }

    @Test func stderrKeepsOnlyABoundedValidUTF8Tail() async throws {
        // 200 KB of 3-byte characters, so the cut lands inside a character, then a final line.
        let outcome = try await CommandRunner.run(CommandSpec(argv: [
            "/bin/sh", "-c", "i=0; while [ $i -lt 2000 ]; do printf '☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃' >&2; i=$((i+1)); done; echo THE END >&2; exit 1",
        ], timeout: .seconds(20)))
        #expect(outcome.termination == .exited(1))
        #expect(outcome.stderrTail.hasSuffix("THE END"))
        #expect(outcome.stderrTail.utf8.count <= 4096)
        #expect(outcome.stderrTail.utf8.count > 4000)
        #expect(!outcome.stderrTail.contains("\u{FFFD}"))
    }

    @Test func killedBySignalIsReportedAsSignalled() async throws {
        let outcome = try await CommandRunner.run(CommandSpec(argv: ["/bin/sh", "-c", "kill -USR1 $$"]))
        #expect(outcome.termination == .signalled(10))
    }

    @Test func environmentIsExactlyTheGivenOneNothingInherited() async throws {
        let outcome = try await CommandRunner.run(CommandSpec(argv: ["/usr/bin/env"], environment: ["ONLY": "me=1 2"]))
        #expect(TestSupport.text(outcome.stdout) == "ONLY=me=1 2\n")
    }

    @Test func bareNameIsFoundOnPATH() async throws {
        let outcome = try await CommandRunner.run(CommandSpec(argv: ["echo", "hi"]))
        #expect(TestSupport.text(outcome.stdout) == "hi\n")
    }

    @Test func workingDirectoryIsUsed() async throws {
        let outcome = try await CommandRunner.run(CommandSpec(argv: ["/bin/pwd"], workingDirectory: "/usr/bin"))
        #expect(TestSupport.text(outcome.stdout) == "/usr/bin\n")
    }
}
