/// Why a command could not be started. Once the child runs, everything else (exit status,
/// signal, timeout) is reported in ``CommandOutcome`` instead.
public enum CommandRunError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `argv[index]` contains NUL. Checked before spawning because C strings would silently cut
    /// the argument at the NUL, running a different command than the one validated.
    case nulInArgument(index: Int)
    /// An environment variable name or value contains NUL (same reason as above). Added to the
    /// brief's API: an argv index cannot name an environment variable.
    case nulInEnvironment(name: String)
    /// `argv` was empty.
    case emptyArgv
    /// `argv[0]` is not an executable file, or a name not found on `PATH`.
    case executableNotFound(String)
    /// The working directory does not exist or cannot be entered.
    case workingDirectoryMissing(String)
    /// Any other spawn failure, with the underlying description.
    case launchFailed(String)

    public var description: String {
        switch self {
        case .nulInArgument(let index): "argument \(index) contains a NUL byte"
        case .nulInEnvironment(let name): "environment variable '\(name)' contains a NUL byte"
        case .emptyArgv: "the command has no program (argv is empty)"
        case .executableNotFound(let name): "executable '\(name)' not found or not executable"
        case .workingDirectoryMissing(let path): "working directory '\(path)' does not exist"
        case .launchFailed(let reason): "could not start the command: \(reason)"
        }
    }
}
