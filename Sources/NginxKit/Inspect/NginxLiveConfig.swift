import Foundation

/// The configuration nginx actually runs, read back from disk so a diagnosis judges what is
/// live rather than what `portico.yaml` would render: a hand edit, a certbot rewrite or an
/// old revision all show up here.
///
/// For the system layout the include is placed inside the `http {}` block of the system
/// `nginx.conf`, so http-level settings from there (Debian's `gzip on;`) are inherited the way
/// nginx inherits them. Other `include`s are not followed.
public struct NginxLiveConfig: Sendable {
    /// The file Portico owns (the prefix's `nginx.conf` or the include target).
    public var path: String
    /// That file's text.
    public var text: String
    /// The main context, with the include spliced into `http {}` for the system layout.
    public var main: [NginxDirective]

    /// Why the live configuration could not be read.
    public struct ReadFailure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public init(path: String, text: String, enclosingMain: [NginxDirective]? = nil) throws(ReadFailure) {
        self.path = path
        self.text = text
        let statements: [NginxDirective]
        do { statements = try NginxConfigParser().parse(text) } catch { throw ReadFailure(description: "\(path): \(error)") }
        guard var enclosing = enclosingMain else {
            main = statements
            return
        }
        if let index = enclosing.firstIndex(where: { $0.name == "http" }) {
            enclosing[index].block = (enclosing[index].block ?? []) + statements
        } else {
            enclosing.append(NginxDirective("http", block: statements))
        }
        main = enclosing
    }

    /// Reads the file `controller` manages; for the system layout also `/etc/nginx/nginx.conf`.
    public static func load(_ controller: NginxController) throws(ReadFailure) -> NginxLiveConfig {
        guard let text = try? String(contentsOfFile: controller.configPath, encoding: .utf8) else {
            throw ReadFailure(description: "cannot read \(controller.configPath)")
        }
        switch controller.layout {
        case .prefix:
            return try NginxLiveConfig(path: controller.configPath, text: text)
        case .systemInclude:
            let system = (try? String(contentsOfFile: "/etc/nginx/nginx.conf", encoding: .utf8)).flatMap { try? NginxConfigParser().parse($0) }
            return try NginxLiveConfig(path: controller.configPath, text: text, enclosingMain: system ?? [])
        }
    }

    /// The `http {}` block, or `nil` when there is none.
    public var http: NginxDirective? { main.first { $0.name == "http" } }

    /// Every `server {}` inside `http {}`.
    public var servers: [NginxDirective] { http?.block?.filter { $0.name == "server" } ?? [] }

    /// Arguments of the first main-context directive named `name` (`worker_rlimit_nofile`).
    public func mainArguments(_ name: String) -> [String]? {
        main.first { $0.name == name }?.args
    }

    /// Arguments of the first directive named `name` inside `events {}`.
    public func eventsArguments(_ name: String) -> [String]? {
        main.first { $0.name == "events" }?.child(name)?.args
    }

    /// Every directive name used anywhere (to compare with the modules of the build).
    public var directiveNames: Set<String> {
        Set(main.flattened().filter { !$0.isComment }.map(\.name))
    }

    /// The listeners of a server block.
    public func listeners(of server: NginxDirective) -> [NginxListen] {
        server.block?.filter { $0.name == "listen" }.compactMap { NginxListen($0.args) } ?? []
    }

    /// The server that serves `path` on `port` over TLS (`secure`) or plain HTTP: the one whose
    /// listener matches and that has a location for the path; a `server_name` equal to `host`
    /// wins over the first such server (nginx's default for that address).
    public func server(port: Int?, secure: Bool, host: String?, path: String) -> NginxDirective? {
        let candidates = servers.filter { server in
            let matching = listeners(of: server).filter { $0.ssl == secure && !$0.quic && (port == nil || $0.port == port) }
            return !matching.isEmpty && location(for: path, in: server) != nil
        }
        if let host, let named = candidates.first(where: { $0.child("server_name")?.args.contains(host.lowercased()) ?? false }) {
            return named
        }
        return candidates.first
    }

    /// The location nginx picks for `path` in `server`: an exact `=` match first, then the
    /// longest prefix match (regular expressions are not evaluated; Portico renders none there).
    public func location(for path: String, in server: NginxDirective) -> NginxDirective? {
        let locations = server.block?.filter { $0.name == "location" } ?? []
        if let exact = locations.first(where: { $0.args.count == 2 && $0.args[0] == "=" && $0.args[1] == path }) {
            return exact
        }
        var best: (NginxDirective, Int)?
        for location in locations {
            let prefix: String
            switch location.args.count {
            case 1 where !location.args[0].hasPrefix("@"): prefix = location.args[0]
            case 2 where location.args[0] == "^~": prefix = location.args[1]
            default: continue
            }
            if path.hasPrefix(prefix), prefix.count > (best?.1 ?? -1) { best = (location, prefix.count) }
        }
        return best?.0
    }

    /// Every occurrence of `name` at the innermost level that has one — location, then server,
    /// then http — which is how nginx inherits array-like directives (`proxy_set_header`,
    /// `gzip_types`): a level with any occurrence replaces the outer ones entirely.
    public func effective(_ name: String, location: NginxDirective?, server: NginxDirective?) -> [[String]]? {
        for level in [location, server, http].compactMap({ $0 }) {
            let found = level.block?.filter { $0.name == name }.map(\.args) ?? []
            if !found.isEmpty { return found }
        }
        return nil
    }

    /// The arguments of the effective single-valued directive `name`, or `nil` for nginx's default.
    public func effectiveValue(_ name: String, location: NginxDirective?, server: NginxDirective?) -> [String]? {
        effective(name, location: location, server: server)?.last
    }

    /// The `host:port` entries of `upstream name {}`.
    public func upstreamServers(_ name: String) -> [String] {
        let upstream = http?.block?.first { $0.name == "upstream" && $0.args.first == name }
        return upstream?.block?.filter { $0.name == "server" }.compactMap(\.args.first) ?? []
    }

    /// The port of the loopback status listener (the server with `location = /nginx_status`).
    public var statusPort: Int? {
        for server in servers where server.block?.contains(where: { $0.name == "location" && $0.args == ["=", "/nginx_status"] }) ?? false {
            if let port = listeners(of: server).first?.port { return port }
        }
        return nil
    }
}
