public import MCPCore

/// Why a call to a stdio child did not get the child's answer.
///
/// Each case maps to one JSON-RPC error that names the source and the cause, so a remote
/// client (and the operator reading its report) knows which server failed and how.
public enum BridgeFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The child process ended; its in-flight calls cannot be answered.
    case exited(source: String, status: String)
    /// The child wrote something that is not a JSON-RPC message to stdout.
    case garbage(source: String, sample: String)
    /// The child stopped answering, even `ping`.
    case hung(source: String, seconds: Int)
    /// The call took longer than the source's `call_timeout_seconds`.
    case timedOut(source: String, method: String, seconds: Int)
    /// No child is running (it could not start, or is waiting to restart).
    case unavailable(source: String, reason: String)
    /// The child could not be started or initialized.
    case startFailed(source: String, reason: String)

    public var description: String {
        switch self {
        case let .exited(source, status): "stdio source '\(source)': the server process exited (\(status)) before answering; it is being restarted"
        case let .garbage(source, sample): "stdio source '\(source)': the server wrote non-JSON to stdout (\(sample)); it is being restarted"
        case let .hung(source, seconds): "stdio source '\(source)': the server stopped answering (no reply to ping in \(seconds) s); it is being restarted"
        case let .timedOut(source, method, seconds): "stdio source '\(source)': \(method) did not finish within \(seconds) s (call_timeout_seconds); the call was cancelled"
        case let .unavailable(source, reason): "stdio source '\(source)' is not running: \(reason)"
        case let .startFailed(source, reason): "stdio source '\(source)' could not start: \(reason)"
        }
    }

    /// The same failure worded for a server that never became ready.
    var atStartup: BridgeFailure {
        switch self {
        case let .exited(source, status): .startFailed(source: source, reason: "the server process exited (\(status)) before answering initialize; its stderr is in the log")
        case let .garbage(source, sample): .startFailed(source: source, reason: "the server wrote non-JSON to stdout (\(sample))")
        case let .hung(source, seconds): .startFailed(source: source, reason: "the server stopped answering (no reply to ping in \(seconds) s)")
        default: self
        }
    }

    /// The one wire form: an internal error whose message says what happened.
    public var mcpError: MCPError {
        MCPError(code: .internalError, message: description, data: ["source": .string(source)])
    }

    public var source: String {
        switch self {
        case let .exited(source, _), let .garbage(source, _), let .hung(source, _), let .timedOut(source, _, _),
            let .unavailable(source, _), let .startFailed(source, _):
            source
        }
    }
}
