import Logging
import PorticoConfig
import Subprocess
import SystemPackage

/// How to start one stdio server: the resolved program, arguments, environment and
/// directory, plus the timings its supervisor keeps.
struct ChildCommand: Sendable {
    var source: String
    var executable: String
    var arguments: [String]
    /// Set on top of Portico's environment.
    var environment: [String: String]
    /// Removed from the inherited environment (the variables holding Portico's own secrets).
    var removedEnvironment: [String] = []
    var workingDirectory: String?
    var startupTimeout: Duration
    var callTimeout: Duration?
    var callTimeoutSeconds: Int
    var hangTimeout: Duration
    var restartBackoff: Duration
    var restartBackoffMax: Duration
    /// Largest JSON-RPC line accepted from the child.
    var maximumFrameBytes: Int

    var executableReference: Executable {
        executable.contains("/") ? .path(FilePath(executable)) : .name(executable)
    }

    var environmentReference: Environment {
        var updates: [Environment.Key: String?] = [:]
        for name in removedEnvironment { updates[Environment.Key(stringLiteral: name)] = .some(nil) }
        for (key, value) in environment { updates[Environment.Key(stringLiteral: key)] = value }
        return .inherit.updating(updates)
    }

    var platformOptions: PlatformOptions {
        var options = PlatformOptions()
        // Own process group (pgid = pid), so stopping the server also stops what it spawned.
        options.processGroupID = 0
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .seconds(2))]
        return options
    }
}

extension ChildCommand {
    /// The command of a configured stdio source: relative paths from the config file's folder,
    /// the call limit from `limits` unless the source sets its own.
    init(_ stdio: PorticoConfiguration.Sources.Stdio, configuration: PorticoConfiguration, baseDirectory: String) {
        let callTimeoutSeconds = stdio.callTimeoutSeconds ?? configuration.limits.callTimeoutSeconds
        self.init(
            source: stdio.name, executable: BridgeHost.program(stdio.command.first ?? "", base: baseDirectory),
            arguments: Array(stdio.command.dropFirst()), environment: stdio.env,
            removedEnvironment: configuration.requestState.secretEnvironmentNames,
            workingDirectory: BridgeHost.resolve(stdio.cwd ?? ".", against: baseDirectory),
            startupTimeout: .seconds(stdio.startupTimeoutSeconds),
            callTimeout: callTimeoutSeconds > 0 ? .seconds(callTimeoutSeconds) : nil, callTimeoutSeconds: callTimeoutSeconds,
            hangTimeout: .seconds(stdio.hangTimeoutSeconds),
            restartBackoff: .milliseconds(Int64(stdio.restartBackoffSeconds * 1000)),
            restartBackoffMax: .milliseconds(Int64(stdio.restartBackoffMaxSeconds * 1000)),
            maximumFrameBytes: max(configuration.limits.maxBodyBytes, 16 << 20))
    }
}
