import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Drives one nginx installation: the system one (config included from `/etc/nginx`) or a
/// self-contained prefix. Everything goes through the binary or signals to the master.
public struct NginxController: Sendable {
    /// Absolute path of the nginx binary.
    public var binary: String
    public var layout: EdgeLayout
    /// The file Portico owns: `<prefix>/nginx.conf`, or the include target.
    public var configPath: String
    /// Where the master writes its pid.
    public var pidFile: String
    /// The error log the master writes reload failures to.
    public var errorLog: String

    public init(binary: String, layout: EdgeLayout, target: String) throws(EdgeError) {
        do { self.binary = try ProcessRunner.resolve(binary) } catch let error as EdgeError { throw error } catch { throw EdgeError("\(error)") }
        self.layout = layout
        switch layout {
        case .systemInclude:
            // Read once: verification polls the pid and the log many times a second.
            let main = Self.mainDirectives(named: ["pid", "error_log"])
            configPath = target
            pidFile = main["pid"] ?? "/run/nginx.pid"
            errorLog = main["error_log"] ?? "/var/log/nginx/error.log"
        case .prefix(let prefix):
            configPath = prefix + "/nginx.conf"
            pidFile = prefix + "/logs/nginx.pid"
            errorLog = prefix + "/logs/error.log"
        }
    }

    /// The arguments that select this installation's configuration.
    var selection: [String] {
        switch layout {
        case .systemInclude: []
        case .prefix(let prefix): ["-p", prefix + "/", "-c", configPath]
        }
    }

    func run(_ arguments: [String]) throws(EdgeError) -> ProcessOutput {
        do { return try ProcessRunner.run([binary] + arguments) } catch { throw EdgeError("could not run \(binary): \(error)") }
    }

    /// `nginx -V`: version, modules, OpenSSL.
    public func build() throws(EdgeError) -> NginxBuild {
        let output = try run(["-V"])
        do { return try NginxBuild(versionOutput: output.combined) } catch { throw EdgeError(error.description) }
    }

    /// `nginx -t` on this installation's configuration.
    public func test() throws(EdgeError) -> NginxTestResult {
        NginxTestResult(try run(["-t"] + selection))
    }

    /// `nginx -t` on a rendered include, wrapped in a throw-away main file in a temporary prefix,
    /// so it is checked without touching the system configuration.
    public func testInclude(_ text: String) throws(EdgeError) -> NginxTestResult {
        let directory = try Self.makeTemporaryDirectory("portico-edge-check")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let wrapper = """
            pid \(directory)/nginx.pid;
            error_log \(directory)/error.log;
            events { worker_connections 1024; }
            http {
                client_body_temp_path \(directory)/tmp/body; proxy_temp_path \(directory)/tmp/proxy;
                fastcgi_temp_path \(directory)/tmp/fastcgi; uwsgi_temp_path \(directory)/tmp/uwsgi; scgi_temp_path \(directory)/tmp/scgi;
                include \(directory)/portico.conf;
            }

            """
        do {
            try FileManager.default.createDirectory(atPath: directory + "/tmp", withIntermediateDirectories: true)
            try wrapper.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
            try text.write(toFile: directory + "/portico.conf", atomically: true, encoding: .utf8)
        } catch {
            throw EdgeError("could not write a check copy under \(directory): \(error)")
        }
        return NginxTestResult(try run(["-t", "-p", directory + "/", "-c", directory + "/nginx.conf"]))
    }

    /// A fresh private directory (`mkdtemp`, mode 0700): nothing another user prepared can be
    /// read by a root `nginx -t`.
    public static func makeTemporaryDirectory(_ name: String) throws(EdgeError) -> String {
        var template = Array((FileManager.default.temporaryDirectory.path + "/\(name)-XXXXXX").utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw EdgeError("could not create a temporary directory: \(String(cString: strerror(errno)))")
        }
        return String(cString: created)
    }

    /// Starts a daemonised master for this installation.
    public func start() throws(EdgeError) {
        // The first process exits once the daemon has forked; its messages go to a file, since
        // the daemon would hold a pipe open for as long as it runs.
        let directory = try Self.makeTemporaryDirectory("portico-nginx-start")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = directory + "/output.log"
        let status = try ChildProcess.spawn([binary] + selection, outputFile: output).waitForExit()
        guard status == 0 else {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            let result = NginxTestResult(ProcessOutput(status: status, standardOutput: "", standardError: text))
            throw EdgeError("nginx did not start: \(result.summary)")
        }
    }

    /// The arguments for a master that stays in the foreground (a supervised child).
    public var foregroundArguments: [String] { [binary] + selection + ["-g", "daemon off;"] }

    /// The running master's pid, from the pid file, if that process is alive.
    public func masterPID() -> pid_t? {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0, kill(pid, 0) == 0
        else { return nil }
        return pid
    }

    /// The first argument of main-context directives in the system `nginx.conf`.
    static func mainDirectives(named names: Set<String>) -> [String: String] {
        guard let text = try? String(contentsOfFile: "/etc/nginx/nginx.conf", encoding: .utf8),
              let parsed = try? NginxConfigParser().parse(text) else { return [:] }
        var found: [String: String] = [:]
        for directive in parsed where names.contains(directive.name) && found[directive.name] == nil {
            found[directive.name] = directive.args.first
        }
        return found
    }

    /// Sends a signal to the master: `SIGHUP` reloads, `SIGQUIT` stops gracefully.
    public func signal(_ value: Int32) throws(EdgeError) {
        guard let pid = masterPID() else { throw EdgeError("nginx is not running (no live pid in \(pidFile))") }
        guard kill(pid, value) == 0 else { throw EdgeError("could not signal nginx master \(pid): \(String(cString: strerror(errno)))") }
    }

    /// Workers of the master that are not draining after a reload.
    public func activeWorkers() -> Set<pid_t> {
        guard let master = masterPID(), let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var workers: Set<pid_t> = []
        for entry in entries {
            guard let pid = pid_t(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, pid_t(fields[1]) == master,
                  let command = try? String(contentsOfFile: "/proc/\(entry)/cmdline", encoding: .utf8),
                  command.contains("worker process"), !command.contains("shutting down") else { continue }
            workers.insert(pid)
        }
        return workers
    }

    /// Current size of the error log, to read only what a reload adds.
    public func errorLogOffset() -> UInt64 {
        ((try? FileManager.default.attributesOfItem(atPath: errorLog))?[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// Error-log lines written since `offset` at `emerg` or `alert`.
    public func failures(since offset: UInt64) -> [NginxDiagnostic] {
        guard let handle = FileHandle(forReadingAtPath: errorLog) else { return [] }
        defer { try? handle.close() }
        try? handle.seek(toOffset: offset)
        let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        return NginxDiagnostic.all(in: text).filter { $0.level >= .alert }
    }
}

/// The outcome of `nginx -t`.
public struct NginxTestResult: Sendable {
    public var succeeded: Bool
    public var diagnostics: [NginxDiagnostic]
    public var output: String

    init(_ output: ProcessOutput) {
        self.succeeded = output.succeeded
        self.output = output.combined
        self.diagnostics = NginxDiagnostic.all(in: output.combined)
    }

    /// The messages worth showing: errors first, then warnings.
    public var summary: String {
        let shown = diagnostics.filter { $0.level >= .warn }.sorted { $0.level > $1.level }
        return shown.isEmpty ? output.trimmingCharacters(in: .whitespacesAndNewlines) : shown.map(\.description).joined(separator: "\n")
    }
}
