/// What a finished command produced. A non-zero exit is an outcome, not an error: the tool layer
/// decides how to present it (usually an `isError` result carrying ``stderrTail``).
public struct CommandOutcome: Sendable {
    public enum Termination: Sendable, Equatable {
        /// The program exited with this status.
        case exited(Int32)
        /// The program was killed by this signal, and not by our timeout.
        case signalled(Int32)
        /// The timeout fired and the process group was terminated.
        case timedOut
    }

    public var termination: Termination
    /// At most `maxOutputBytes` bytes: the start of stdout.
    public var stdout: [UInt8]
    /// True when stdout had more than `maxOutputBytes` bytes.
    public var stdoutTruncated: Bool
    /// Every byte read from stdout, kept or not.
    public var totalStdoutBytes: Int
    /// The last ~4 KiB of stderr, decoded as UTF-8 (invalid bytes replaced) and trimmed of
    /// surrounding whitespace. The tail is what explains a failure; the head is usually noise.
    public var stderrTail: String
    /// From just before spawning until the process group was cleaned up.
    public var duration: Duration

    public init(
        termination: Termination,
        stdout: [UInt8],
        stdoutTruncated: Bool,
        totalStdoutBytes: Int,
        stderrTail: String,
        duration: Duration
    ) {
        self.termination = termination
        self.stdout = stdout
        self.stdoutTruncated = stdoutTruncated
        self.totalStdoutBytes = totalStdoutBytes
        self.stderrTail = stderrTail
        self.duration = duration
    }
}
