import Subprocess

/// What the body closure collected from one child's pipes.
struct ChildIO: Sendable {
    var stdout: CappedBuffer
    var stderr: TailBuffer

    typealias Run = Execution<CustomWriteInput, SequenceOutput, SequenceOutput>

    /// Feeds stdin and drains stdout and stderr concurrently.
    ///
    /// All three must run at once: a child that fills stdout before reading all of its stdin (or
    /// fills stderr while we wait on stdout) would otherwise deadlock against us. Each returns on
    /// EOF, or when swift-subprocess cancels pending I/O because the leader exited; the latter is
    /// what lets us return while a grandchild still holds a pipe open.
    static func exchange(_ execution: Run, stdin: [UInt8], maxOutputBytes: Int, stderrTailBytes: Int) async -> ChildIO {
        enum Part: Sendable {
            case stdinDone
            case stdout(CappedBuffer)
            case stderr(TailBuffer)
        }
        return await withTaskGroup(of: Part.self) { group in
            group.addTask {
                await feed(execution.standardInputWriter, stdin)
                return .stdinDone
            }
            group.addTask {
                var buffer = CappedBuffer(limit: maxOutputBytes)
                await drain(execution.standardOutput) { buffer.append($0) }
                return .stdout(buffer)
            }
            group.addTask {
                var tail = TailBuffer(capacity: stderrTailBytes)
                await drain(execution.standardError) { tail.append($0) }
                return .stderr(tail)
            }
            var io = ChildIO(stdout: CappedBuffer(limit: maxOutputBytes), stderr: TailBuffer(capacity: stderrTailBytes))
            for await part in group {
                switch part {
                case .stdinDone: break
                case .stdout(let buffer): io.stdout = buffer
                case .stderr(let tail): io.stderr = tail
                }
            }
            return io
        }
    }

    /// Writes all of stdin, then closes it so a child reading to EOF can finish.
    ///
    /// Write errors are ignored on purpose: a child may exit or close stdin without reading it
    /// (EPIPE, harmless because SIGPIPE is ignored), and that is the child's business, reported
    /// through its exit status, not a failure of the run.
    private static func feed(_ writer: StandardInputWriter, _ bytes: [UInt8]) async {
        if !bytes.isEmpty {
            _ = try? await writer.write(bytes)
        }
        try? await writer.finish()
    }

    /// Reads a pipe to the end, handing each chunk to `consume` without copying it first.
    ///
    /// A read error ends the stream with what was read so far; the exit status still tells
    /// the caller how the child ended.
    private static func drain(
        _ sequence: SubprocessOutputSequence,
        _ consume: (UnsafeRawBufferPointer) -> Void
    ) async {
        do {
            for try await chunk in sequence {
                chunk.withUnsafeBytes { consume($0) }
            }
        } catch {
            return
        }
    }
}
