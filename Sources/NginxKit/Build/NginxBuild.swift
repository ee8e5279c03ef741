import Foundation

/// What an installed nginx can do, read from `nginx -V` (which prints to standard error).
///
/// The renderer asks this, never the version alone: Debian's 1.22.1 and an nginx.org 1.27 differ
/// in modules as much as in release (`docs/EDGE.md`, nginx-edge notes §2.3).
public struct NginxBuild: Sendable, Equatable {
    public var version: NginxVersion
    /// `--with-…_module` flags, static ones without `=dynamic`, e.g. `http_v2_module`.
    public var modules: Set<String>
    public var openSSL: String?
    public var configureArguments: [String]

    public init(version: NginxVersion, modules: Set<String>, openSSL: String? = nil, configureArguments: [String] = []) {
        self.version = version
        self.modules = modules
        self.openSSL = openSSL
        self.configureArguments = configureArguments
    }

    public struct ParseFailure: Error, Sendable, CustomStringConvertible {
        public var output: String
        public var description: String { "could not read the nginx version from `nginx -V`: \(output.prefix(200))" }
    }

    /// Parses the whole `nginx -V` text.
    public init(versionOutput text: String) throws(ParseFailure) {
        var version: NginxVersion?
        var openSSL: String?
        var arguments: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            if let range = line.range(of: "nginx version: ") {
                let rest = line[range.upperBound...]
                let number = rest.drop { $0 != "/" }.dropFirst().prefix { $0.isNumber || $0 == "." }
                version = NginxVersion(number)
            } else if line.hasPrefix("built with OpenSSL ") {
                openSSL = line.dropFirst("built with OpenSSL ".count).split(separator: " ").first.map(String.init)
            } else if line.hasPrefix("configure arguments: ") {
                arguments = Self.splitArguments(line.dropFirst("configure arguments: ".count))
            }
        }
        guard let version else { throw ParseFailure(output: text) }
        var modules: Set<String> = []
        for argument in arguments where argument.hasPrefix("--with-") && argument.hasSuffix("_module") {
            modules.insert(String(argument.dropFirst("--with-".count)))
        }
        self.init(version: version, modules: modules, openSSL: openSSL, configureArguments: arguments)
    }

    /// Splits on spaces outside single quotes (`--with-cc-opt='-g -O2'` stays one argument).
    static func splitArguments(_ text: Substring) -> [String] {
        var arguments: [String] = []
        var current = ""
        var quoted = false
        for character in text {
            if character == "'" { quoted.toggle(); current.append(character); continue }
            if character == " " && !quoted {
                if !current.isEmpty { arguments.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { arguments.append(current) }
        return arguments
    }

    public var hasHTTP2: Bool { modules.contains("http_v2_module") }
    public var hasHTTP3: Bool { modules.contains("http_v3_module") && version >= .http3 }
    public var hasStubStatus: Bool { modules.contains("http_stub_status_module") }
    public var hasRealIP: Bool { modules.contains("http_realip_module") }
    public var hasAuthRequest: Bool { modules.contains("http_auth_request_module") }
    public var hasSSL: Bool { modules.contains("http_ssl_module") }
    /// `http2 on;` instead of the deprecated `listen … http2`.
    public var usesHTTP2Directive: Bool { version >= .http2Directive }
}
