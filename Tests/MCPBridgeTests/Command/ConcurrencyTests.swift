import MCPBridge
import PorticoConfig
import Testing

@Suite("Concurrency")
struct ConcurrencyTests {
    @Test func fiftyConcurrentRunsAllSucceedWithTheirOwnOutput() async throws {
        let results = try await withThrowingTaskGroup(of: (Int, CommandOutcome).self) { group in
            for i in 0..<50 {
                group.addTask {
                    let outcome = try await CommandRunner.run(CommandSpec(
                        argv: ["/bin/sh", "-c", "cat; echo \" $1\" >&2", "sh", "\(i)"],
                        stdin: Array("run \(i)".utf8), timeout: .seconds(60)))
                    return (i, outcome)
                }
            }
            var all: [Int: CommandOutcome] = [:]
            for try await (i, outcome) in group { all[i] = outcome }
            return all
        }
        #expect(results.count == 50)
        for (i, outcome) in results {
            #expect(outcome.termination == .exited(0))
            #expect(TestSupport.text(outcome.stdout) == "run \(i)")
            #expect(outcome.stderrTail == "\(i)")
        }
    }
}
