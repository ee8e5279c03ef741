import ArgumentParser
import Foundation
import NginxKit
import Portico
import PorticoConfig

struct Edge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render, check, apply and inspect the nginx edge in front of Portico.",
        discussion: """
            The edge is rendered from the `edge:` section of portico.yaml for the installed
            nginx (read with `nginx -V`). Without --prefix it is an include for the system
            nginx (edge.target, default /etc/nginx/conf.d/portico.conf); with --prefix DIR it
            is a whole nginx.conf run as `nginx -p DIR`.

            Examples:
              portico edge render -c portico.yaml
              portico edge check -c portico.yaml
              portico edge apply -c portico.yaml            # test, reload, verify, roll back on failure
              portico edge status --prefix .portico/nginx
              portico edge certbot --domain mcp.example.com --print
            """,
        subcommands: [Render.self, Check.self, Diff.self, Apply.self, Status.self, Certbot.self, Parse.self])

    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the nginx configuration for this config and nginx build.")
        @OptionGroup var options: EdgeOptions

        func run() throws {
            let plan = try options.plan(try options.loadConfiguration())
            StandardStreams.writeOutput(plan.text)
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Render into a temporary prefix and run `nginx -t` on it; nothing installed changes.")
        @OptionGroup var options: EdgeOptions

        func run() throws {
            let configuration = try options.loadConfiguration()
            let controller = try options.controller(configuration)
            let result: NginxTestResult
            switch options.layout {
            case .systemInclude:
                result = try controller.testInclude(try options.plan(configuration).text)
            case .prefix:
                let scratch = try NginxController.makeTemporaryDirectory("portico-edge-check")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let plan = try options.plan(configuration, layout: .prefix(scratch))
                for directory in ["logs", "tmp", "cache"] {
                    try FileManager.default.createDirectory(atPath: scratch + "/" + directory, withIntermediateDirectories: true)
                }
                try plan.text.write(toFile: scratch + "/nginx.conf", atomically: true, encoding: .utf8)
                result = try NginxController(binary: configuration.edge.nginx, layout: .prefix(scratch), target: "").test()
            }
            for diagnostic in result.diagnostics where diagnostic.level >= .warn {
                StandardStreams.writeError("\(diagnostic)\n")
            }
            guard result.succeeded else {
                StandardStreams.writeError("nginx -t failed:\n\(result.summary)\n")
                throw ExitCode(1)
            }
            print("nginx -t: configuration OK")
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a unified diff between the installed file and a fresh render (exit 1 when they differ).")
        @OptionGroup var options: EdgeOptions

        func run() throws {
            let configuration = try options.loadConfiguration()
            let controller = try options.controller(configuration)
            let plan = try options.plan(configuration)
            let installed = (try? String(contentsOfFile: controller.configPath, encoding: .utf8)) ?? ""
            guard installed != plan.text else {
                print("\(controller.configPath) is up to date (revision \(plan.revision))")
                return
            }
            let directory = try NginxController.makeTemporaryDirectory("portico-edge-diff")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let scratch = directory + "/rendered.conf"
            try plan.text.write(toFile: scratch, atomically: true, encoding: .utf8)
            let existing = FileManager.default.fileExists(atPath: controller.configPath) ? controller.configPath : "/dev/null"
            let output = try ProcessRunner.run(["diff", "-u", "--label", controller.configPath, "--label", "rendered", existing, scratch])
            StandardStreams.writeOutput(output.standardOutput)
            if !installed.isEmpty, let problem = EdgeDeployer.foreignEdits(in: installed) {
                StandardStreams.writeError("note: \(controller.configPath): \(problem)\n")
            }
            throw ExitCode(1)
        }
    }

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the configuration, `nginx -t`, reload (or start), verify, and roll back on any failure.",
            discussion: """
                Verification: the status listener serves the new revision, new workers run,
                the error log has no new [emerg], and `server/discover` through nginx reaches
                the app. Exit status 1 when the change was rolled back.
                """)
        @OptionGroup var options: EdgeOptions

        @Flag(help: "Overwrite a file edited by someone else (certbot, by hand).")
        var force = false

        @Flag(help: "Skip the probe through nginx to the app (when the app is not running yet).")
        var noProbe = false

        @Flag(help: "Reload even when the file is unchanged (certbot's deploy hook: a renewed certificate at the same path).")
        var reload = false

        func run() throws {
            let configuration = try options.loadConfiguration()
            let plan = try options.plan(configuration)
            let deployer = EdgeDeployer(controller: try options.controller(configuration), probeHost: probeHost(configuration), probe: !noProbe)
            do {
                let report = try deployer.apply(plan, port: configuration.edge.statusPort, force: force, reload: reload)
                print("edge \(report.action.rawValue): revision \(report.revision), \(report.workers) workers, \(plan.endpoints.publicURL)")
            } catch {
                StandardStreams.writeError("error: \(error.message)\n")
                throw ExitCode(1)
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show nginx's version, connection figures and which revision it serves.")
        @OptionGroup var options: EdgeOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() throws {
            let configuration = try options.loadConfiguration()
            let controller = try options.controller(configuration)
            let build = try controller.build()
            let installed = try? String(contentsOfFile: controller.configPath, encoding: .utf8)
            let port = configuration.edge.statusPort
            let served = try? LoopbackHTTP.request(port: port, path: "/_portico/edge-revision", timeoutSeconds: 2).body.trimmingCharacters(in: .whitespacesAndNewlines)
            let figures = (try? LoopbackHTTP.request(port: port, path: "/nginx_status", timeoutSeconds: 2)).flatMap { StubStatus($0.body) }
            let declared = installed.flatMap(EdgeRenderer.declaredRevision)
            let unmodified = installed.map(EdgeRenderer.isUnmodified) ?? false
            if json {
                var object: [String: Any] = [
                    "nginx_version": build.version.description, "openssl": build.openSSL ?? "",
                    "config": controller.configPath, "running": controller.masterPID() != nil,
                    "installed_revision": declared ?? NSNull(), "installed_unmodified": unmodified,
                    "served_revision": served ?? NSNull(), "workers": controller.activeWorkers().count,
                ]
                if let figures {
                    object["connections"] = [
                        "active": figures.active, "accepted": figures.accepted, "handled": figures.handled, "requests": figures.requests,
                        "reading": figures.reading, "writing": figures.writing, "waiting": figures.waiting,
                    ]
                }
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            print("nginx \(build.version) (OpenSSL \(build.openSSL ?? "?")), http2: \(build.hasHTTP2 ? "yes" : "no"), http3: \(build.hasHTTP3 ? "yes" : "no")")
            print("config \(controller.configPath): revision \(declared ?? "none")\(installed == nil ? " (missing)" : unmodified ? "" : " (edited since Portico wrote it)")")
            print("running: \(controller.masterPID().map { "master \($0), \(controller.activeWorkers().count) workers" } ?? "no"); serving revision \(served ?? "unknown")")
            if let figures {
                print("connections: active \(figures.active), reading \(figures.reading), writing \(figures.writing), waiting \(figures.waiting); accepted \(figures.accepted), handled \(figures.handled), requests \(figures.requests)")
            }
        }
    }

    struct Certbot: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Get a certificate with certbot's webroot mode, which never edits nginx files.",
            discussion: "Runs `certbot certonly --webroot -w <edge.acme_webroot> -d DOMAIN --deploy-hook \"portico edge apply\"`; point edge.tls at /etc/letsencrypt/live/DOMAIN/ afterwards.")
        @OptionGroup var options: EdgeOptions

        @Option(help: "Domain name for the certificate (repeat for more).")
        var domain: [String]

        @Option(help: "Contact e-mail for the ACME account.")
        var email: String?

        @Flag(name: .customLong("print"), help: "Print the command instead of running it.")
        var printOnly = false

        func validate() throws {
            guard !domain.isEmpty else { throw ValidationError("--domain is required") }
        }

        func run() throws {
            let configuration = try options.loadConfiguration()
            var hook = "portico edge apply --reload"
            if let config = options.config { hook += " --config \(URL(fileURLWithPath: config).standardizedFileURL.path)" }
            if case .prefix(let prefix) = options.layout { hook += " --prefix \(prefix)" }
            var arguments = ["certbot", "certonly", "--webroot", "-w", configuration.edge.acmeWebroot]
            for name in domain { arguments += ["-d", name] }
            arguments += email.map { ["--email", $0, "--agree-tos", "--non-interactive"] } ?? ["--register-unsafely-without-email", "--agree-tos", "--non-interactive"]
            arguments += ["--deploy-hook", hook]
            if printOnly {
                print(arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " "))
                return
            }
            try FileManager.default.createDirectory(atPath: configuration.edge.acmeWebroot, withIntermediateDirectories: true)
            let output = try ProcessRunner.run(arguments)
            StandardStreams.writeOutput(output.combined)
            if !output.succeeded { throw ExitCode(output.status) }
        }
    }

    struct Parse: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print an nginx file as crossplane JSON (the `parsed` list, comments included).")

        @Argument(help: "The nginx configuration file.")
        var file: String

        func run() throws {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            do {
                StandardStreams.writeOutput(NginxDirective.crossplaneJSON(try NginxConfigParser().parse(text)) + "\n")
            } catch {
                throw ValidationError("\(file): \(error)")
            }
        }
    }
}

/// The Host header the app accepts for probes: the public URL's authority, else a server name.
func probeHost(_ configuration: PorticoConfiguration) -> String {
    if let authority = configuration.server.publicAuthority { return authority }
    return configuration.edge.serverNames.first.map { $0 == "_" ? "127.0.0.1" : $0 } ?? "127.0.0.1"
}
