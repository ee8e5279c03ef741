import Foundation
import Crypto
public import PorticoConfig

/// Renders the `edge:` section of `portico.yaml` as nginx configuration for one nginx build.
///
/// Version-dependent syntax and defaults are decided here, from ``NginxBuild``, and pinned
/// explicitly (`proxy_http_version 1.1`, upstream `keepalive`, `ssl_protocols`) so the same file
/// behaves the same on 1.18 and 1.29. A feature the build lacks is left out with an
/// ``EdgeWarning`` naming the release that has it.
public struct EdgeRenderer: Sendable {
    public var configuration: PorticoConfiguration
    public var build: NginxBuild
    public var layout: EdgeLayout
    /// The app's address as nginx reaches it (`127.0.0.1:8080`).
    public var upstream: String
    /// Certificate and key to use when `edge.tls` names none (`portico up`'s development pair).
    public var fallbackCertificate: (certificate: String, key: String)?
    /// The process's open-file hard limit, to size `worker_rlimit_nofile`; `nil` skips the check.
    public var fileDescriptorLimit: Int?
    /// Text for the header comment, e.g. the Portico version.
    public var generator: String
    /// The `user` of a prefix's workers when the master runs as root (see ``WorkerAccount``).
    public var workerAccount: WorkerAccount?

    public init(
        configuration: PorticoConfiguration, build: NginxBuild, layout: EdgeLayout, upstream: String,
        fallbackCertificate: (certificate: String, key: String)? = nil, fileDescriptorLimit: Int? = nil,
        generator: String = "Portico", workerAccount: WorkerAccount? = nil
    ) {
        self.workerAccount = workerAccount
        self.configuration = configuration
        self.build = build
        self.layout = layout
        self.upstream = upstream
        self.fallbackCertificate = fallbackCertificate
        self.fileDescriptorLimit = fileDescriptorLimit
        self.generator = generator
    }

    var edge: PorticoConfiguration.Edge { configuration.edge }

    static let revisionPlaceholder = String(repeating: "0", count: 16)

    /// Renders the file; with `strict`, a requested feature this build lacks is an error.
    public func render(strict: Bool = false) throws(EdgeError) -> EdgePlan {
        var warnings: [EdgeWarning] = []
        guard build.version >= .oldestSupported else {
            throw EdgeError("nginx \(build.version) is older than \(NginxVersion.oldestSupported), the oldest release Portico renders for")
        }
        let statements = try statements(revision: Self.revisionPlaceholder, warnings: &warnings)
        if strict, let omission = warnings.first(where: \.isOmission) {
            throw EdgeError("\(omission) (--strict)")
        }
        let draft = NginxDirective.render(statements)
        let revision = Self.revision(of: draft)
        let text = draft.replacingOccurrences(of: Self.revisionPlaceholder, with: revision)
        return EdgePlan(text: text, revision: revision, warnings: warnings, endpoints: endpoints)
    }

    /// The revision a file of ours carries, recomputed from its text; differs from the one it
    /// names when someone else edited it.
    public static func revision(of text: String) -> String {
        let digest = SHA256.hash(data: Array(text.utf8))
        return digest.prefix(8).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The revision written in a rendered file's header, if it is one of ours.
    public static func declaredRevision(in text: String) -> String? {
        for line in text.split(separator: "\n").prefix(5) where line.hasPrefix(Self.revisionComment) {
            return String(line.dropFirst(Self.revisionComment.count))
        }
        return nil
    }

    /// Whether `text` is exactly a file we rendered (nobody edited it since).
    public static func isUnmodified(_ text: String) -> Bool {
        guard let declared = declaredRevision(in: text), declared.count == 16 else { return false }
        return revision(of: text.replacingOccurrences(of: declared, with: revisionPlaceholder)) == declared
    }

    static let revisionComment = "# portico-revision: "

    var endpoints: EdgePlan.Endpoints {
        let host = edge.serverNames.first ?? "localhost"
        let secure = hasCertificate
        let port = secure ? edge.httpsPort : edge.httpPort
        let standard = secure ? 443 : 80
        let authority = port == standard ? host : "\(host):\(port)"
        return .init(
            publicURL: "\(secure ? "https" : "http")://\(authority)\(configuration.server.path)",
            statusURL: "http://127.0.0.1:\(edge.statusPort)")
    }

    var certificatePair: (certificate: String, key: String)? {
        if let certificate = edge.tls.certificate, let key = edge.tls.certificateKey { return (certificate, key) }
        return fallbackCertificate
    }

    var hasCertificate: Bool { certificatePair != nil }

    func statements(revision: String, warnings: inout [EdgeWarning]) throws(EdgeError) -> [NginxDirective] {
        var header: [NginxDirective] = [
            .comment(" Managed by \(generator): rendered from portico.yaml for nginx \(build.version)."),
            .comment(" Do not edit: change portico.yaml and run `portico edge apply` (edits are detected)."),
            .comment(String(Self.revisionComment.dropFirst()) + revision),
        ]
        let http = try httpContext(revision: revision, warnings: &warnings)
        switch layout {
        case .systemInclude:
            let sizing = workerSizing(warnings: &warnings)
            header.append(.comment(" Main context (set in nginx.conf, not here): worker_processes auto; worker_rlimit_nofile \(sizing.fileLimit); worker_shutdown_timeout \(edge.workerShutdownTimeoutSeconds)s; events { worker_connections \(sizing.connections); }"))
            return header + http
        case .prefix:
            return header + mainContext(warnings: &warnings) + [NginxDirective("http", block: prefixHTTPPreamble + http)]
        }
    }

    /// Main-context directives of a self-contained `nginx.conf`; relative paths resolve against `-p`.
    func mainContext(warnings: inout [EdgeWarning]) -> [NginxDirective] {
        let sizing = workerSizing(warnings: &warnings)
        if let warning = workerAccount?.warning { warnings.append(warning) }
        return (workerAccount.map { [NginxDirective("user", $0.user, $0.group)] } ?? []) + [
            NginxDirective("worker_processes", "auto"),
            NginxDirective("worker_rlimit_nofile", "\(sizing.fileLimit)"),
            NginxDirective("worker_shutdown_timeout", "\(edge.workerShutdownTimeoutSeconds)s"),
            NginxDirective("pid", "logs/nginx.pid"),
            NginxDirective("error_log", "logs/error.log", "notice"),
            NginxDirective("events", block: [NginxDirective("worker_connections", "\(sizing.connections)")]),
        ]
    }

    var prefixHTTPPreamble: [NginxDirective] {
        [
            NginxDirective("default_type", "application/octet-stream"),
            NginxDirective("client_body_temp_path", "tmp/client_body"),
            NginxDirective("proxy_temp_path", "tmp/proxy"),
            NginxDirective("fastcgi_temp_path", "tmp/fastcgi"),
            NginxDirective("uwsgi_temp_path", "tmp/uwsgi"),
            NginxDirective("scgi_temp_path", "tmp/scgi"),
        ]
    }

    /// Two connections per stream (client and upstream), for every listen stream and legacy session.
    func workerSizing(warnings: inout [EdgeWarning]) -> (connections: Int, fileLimit: Int) {
        let streams = configuration.streams.maxListeners + min(configuration.limits.maxSessions, 10_000)
        var connections = edge.workerConnections ?? min(65_535, max(1_024, 2 * streams + 1_024))
        var fileLimit = 2 * connections + 64
        if let limit = fileDescriptorLimit, fileLimit > limit, edge.workerConnections == nil {
            let wanted = connections
            connections = max(512, (limit - 64) / 2)
            fileLimit = limit
            warnings.append(EdgeWarning(
                feature: "edge.worker_connections",
                message: "\(streams) streams need \(wanted) connections per worker, but the open-file limit is \(limit); using \(connections). Raise the limit (systemd LimitNOFILE=) or lower streams.max_listeners",
                isOmission: false))
        }
        return (connections, fileLimit)
    }
}
