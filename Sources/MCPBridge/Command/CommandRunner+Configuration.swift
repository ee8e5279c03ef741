import Subprocess
import SystemPackage

extension CommandRunner {
    /// Validates the spec and builds the swift-subprocess configuration, before anything runs.
    static func makeConfiguration(_ spec: CommandSpec) throws(CommandRunError) -> Configuration {
        guard let program = spec.argv.first else { throw .emptyArgv }
        // swift-subprocess passes C strings, which end at the first NUL: "a\0; rm" would reach
        // the child as "a". Refuse rather than run something other than what was checked.
        if let index = spec.argv.firstIndex(where: { $0.utf8.contains(0) }) {
            throw .nulInArgument(index: index)
        }
        for (name, value) in spec.environment where name.utf8.contains(0) || value.utf8.contains(0) {
            throw .nulInEnvironment(name: name)
        }

        var options = PlatformOptions()
        // Own process group (pgid = pid), so timeout and cleanup can signal every descendant
        // with kill(-pgid). Not combined with createSession: that forces a fork/exec path
        // where a failing setpgid is ignored.
        options.processGroupID = 0
        // Used by swift-subprocess when our task is cancelled: SIGTERM to the group, then its
        // final SIGKILL also goes to the group (it inherits toProcessGroup from the last step).
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: killGrace)]

        // A name with a slash is a path (like execvp); anything else is looked up on PATH.
        let executable: Executable = program.contains("/") ? .path(FilePath(program)) : .name(program)
        var environment: [Environment.Key: String] = [:]
        // Names with '=' or a leading digit are rejected by swift-subprocess at spawn time and
        // surface as launchFailed; the failable init itself never fails in 1.0.2.
        for (name, value) in spec.environment {
            guard let key = Environment.Key(rawValue: name) else {
                throw .launchFailed("invalid environment variable name '\(name)'")
            }
            environment[key] = value
        }
        return Configuration(
            executable: executable,
            arguments: Arguments(Array(spec.argv.dropFirst())),
            environment: .custom(environment),
            workingDirectory: spec.workingDirectory.map { FilePath($0) },
            platformOptions: options
        )
    }
}

extension CommandRunError {
    /// Maps swift-subprocess launch errors onto the typed cases the tool layer reports.
    init(_ error: SubprocessError, spec: CommandSpec) {
        switch error.code {
        case .executableNotFound:
            self = .executableNotFound(spec.argv.first ?? "")
        case .failedToChangeWorkingDirectory:
            self = .workingDirectoryMissing(spec.workingDirectory ?? "")
        default:
            self = .launchFailed(error.description)
        }
    }
}
