/// Everything needed to run one command-tool call, after template expansion.
///
/// The spec is deliberately explicit: the environment is exactly ``environment`` (nothing is
/// inherited, so server secrets never leak into a tool), and every limit is a field, so the
/// runner has no hidden defaults.
public struct CommandSpec: Sendable {
    /// Already expanded. `argv[0]` is a path (contains `/`) or a name looked up in `PATH`:
    /// `environment["PATH"]` if set, otherwise this process's `PATH`. Must not be empty.
    public var argv: [String]
    /// Written to the child's stdin, which is then closed, so a child reading to EOF terminates.
    public var stdin: [UInt8]
    /// Exactly this environment; nothing is inherited.
    public var environment: [String: String]
    /// `nil` keeps this process's working directory.
    public var workingDirectory: String?
    /// Wall-clock limit; the process group is then sent SIGTERM, and SIGKILL about 1 s later.
    public var timeout: Duration
    /// How much of stdout is kept. The rest is read and counted but discarded.
    public var maxOutputBytes: Int

    public init(
        argv: [String],
        stdin: [UInt8] = [],
        environment: [String: String] = [:],
        workingDirectory: String? = nil,
        timeout: Duration = .seconds(30),
        maxOutputBytes: Int = 1 << 20
    ) {
        self.argv = argv
        self.stdin = stdin
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.timeout = timeout
        self.maxOutputBytes = maxOutputBytes
    }
}
