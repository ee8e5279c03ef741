import Foundation

/// Runs a short-lived command (no shell) and collects its exit status and output.
public struct ProcessOutput: Sendable {
    public var status: Int32
    public var standardOutput: String
    public var standardError: String
    public var succeeded: Bool { status == 0 }
    /// Both streams, for messages: nginx prints to standard error.
    public var combined: String { standardOutput + standardError }
}

public enum ProcessRunner {
    /// Runs `arguments[0]` (looked up on `PATH` when it has no slash) and waits for it.
    public static func run(_ arguments: [String], input: String? = nil) throws -> ProcessOutput {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try resolve(arguments[0]))
        process.arguments = Array(arguments.dropFirst())
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes at once so a chatty stream cannot fill its pipe and stall the child.
        let collected = OutputBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            collected.set(error: error.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        let standardOutput = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return ProcessOutput(
            status: process.terminationStatus,
            standardOutput: String(decoding: standardOutput, as: UTF8.self),
            standardError: String(decoding: collected.error, as: UTF8.self))
    }

    /// The absolute path of a command name, searching `PATH` plus the sbin directories nginx lives in.
    public static func resolve(_ command: String) throws -> String {
        if command.contains("/") { return command }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/local/nginx/sbin"] {
            let candidate = directory + "/" + command
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw EdgeError("'\(command)' was not found on PATH or in /usr/sbin; install nginx (apt-get install -y nginx) or set edge.nginx")
    }
}

private final class OutputBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = Data()
    func set(error data: Data) { lock.withLock { stored = data } }
    var error: Data { lock.withLock { stored } }
}
