import Foundation
public import NginxKit
public import PorticoConfig

/// What `portico doctor` examines: the configuration, the nginx that serves it, the live
/// config that nginx loaded, and the public URL with the local port to reach it on.
///
/// Probes always connect to 127.0.0.1 (never out to the network) and send the public Host
/// header and SNI, so nginx and the app see what a real client would send.
public struct DoctorTarget: Sendable {
    public var configuration: PorticoConfiguration
    /// The nginx installation, `nil` when none could be found.
    public var controller: NginxController?
    /// The configuration nginx runs, `nil` with `liveProblem` saying why.
    public var live: NginxLiveConfig?
    public var liveProblem: String?
    /// The URL clients use, e.g. `https://mcp.example.com/mcp`.
    public var publicURL: String
    public var scheme: String
    /// The host name of the public URL, lower-cased, without port or brackets.
    public var host: String
    /// What clients send as `Host`: the URL's authority.
    public var authority: String
    /// The endpoint path (`server.path`).
    public var path: String
    /// The local port of the edge's listener for the public scheme.
    public var port: Int
    /// The server block that answers the public URL, and its MCP location.
    public var server: NginxDirective?
    public var location: NginxDirective?
    /// A credential for the probes when `auth.enabled`.
    public var token: String?

    public var secure: Bool { scheme == "https" }

    /// Finds the stack: the prefix of a `portico up` under `stateDirectory` when it holds an
    /// `nginx/nginx.conf`, else the system nginx with `edge.target`.
    public static func resolve(
        configuration: PorticoConfiguration, stateDirectory: String, url: String?, token: String?
    ) -> DoctorTarget {
        let state = URL(fileURLWithPath: stateDirectory).standardizedFileURL.path
        let prefix = state + "/nginx"
        let layout: EdgeLayout = FileManager.default.fileExists(atPath: prefix + "/nginx.conf") ? .prefix(prefix) : .systemInclude
        var controller: NginxController?
        var live: NginxLiveConfig?
        var problem: String?
        do {
            let found = try NginxController(binary: configuration.edge.nginx, layout: layout, target: configuration.edge.target)
            controller = found
            live = try NginxLiveConfig.load(found)
        } catch let error as EdgeError {
            problem = error.message
        } catch {
            problem = "\(error)"
        }
        let path = configuration.server.path
        // The edge's ports come from the live file: `portico up` overrides the YAML's ports on its command line.
        let secureServer = live?.servers.first { server in live?.listeners(of: server).contains { $0.ssl } ?? false }
        let listenPort = secureServer.flatMap { live?.listeners(of: $0).first(where: \.ssl)?.port }
        let https = listenPort ?? configuration.edge.httpsPort
        let publicURL = url ?? configuration.server.publicURL ?? {
            let name = configuration.edge.serverNames.first { $0 != "_" } ?? "localhost"
            let secure = secureServer != nil || live == nil
            let port = secure ? https : configuration.edge.httpPort
            let standard = secure ? 443 : 80
            return "\(secure ? "https" : "http")://\(name)\(port == standard ? "" : ":\(port)")\(path)"
        }()
        let parts = URLParts(publicURL)
        var target = DoctorTarget(
            configuration: configuration, controller: controller, live: live, liveProblem: problem,
            publicURL: publicURL, scheme: parts.scheme, host: parts.host, authority: parts.authority, path: path,
            port: parts.port, server: nil, location: nil, token: token)
        if let live {
            let secure = parts.scheme == "https"
            // A port in the URL may be a public one (port forwarding): fall back to the listener of that scheme.
            let server = live.server(port: parts.port, secure: secure, host: parts.host, path: path)
                ?? live.server(port: nil, secure: secure, host: parts.host, path: path)
            if let server {
                target.server = server
                target.location = live.location(for: path, in: server)
                if !live.listeners(of: server).contains(where: { $0.port == parts.port && $0.ssl == secure }),
                   let first = live.listeners(of: server).first(where: { $0.ssl == secure && !$0.quic }) {
                    target.port = first.port
                }
            }
        }
        return target
    }

    /// The status listener's port: from the live file, else `edge.status_port`.
    public var statusPort: Int { live?.statusPort ?? configuration.edge.statusPort }

    /// `host:port` of the app as nginx reaches it (`upstream portico_app`).
    public var appAddress: (host: String, port: Int)? {
        guard let entry = live?.upstreamServers("portico_app").first, let colon = entry.lastIndex(of: ":"),
              let port = Int(entry[entry.index(after: colon)...]) else { return nil }
        return (String(entry[..<colon]), port)
    }
}
