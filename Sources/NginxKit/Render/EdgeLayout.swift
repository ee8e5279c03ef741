/// Where the rendered file goes, which decides its shape and its paths.
public enum EdgeLayout: Sendable, Equatable {
    /// A file included inside the system nginx's `http {}` (e.g. `/etc/nginx/conf.d/portico.conf`):
    /// no main-context directives, logs under `/var/log/nginx`, cache under `/var/lib/nginx`.
    case systemInclude
    /// A whole `nginx.conf` for `nginx -p <prefix> -c <prefix>/nginx.conf`, with its own pid,
    /// logs, temp and cache directories under the prefix.
    case prefix(String)

    var logDirectory: String {
        switch self {
        case .systemInclude: "/var/log/nginx"
        case .prefix(let prefix): prefix + "/logs"
        }
    }

    /// The edge's cache of `auth_request` verdicts: apart from the micro-cache, whose cache
    /// manager would otherwise walk it, and readable only by the workers (keys hold tokens).
    var authCacheDirectory: String {
        switch self {
        case .systemInclude: "/var/lib/nginx/portico-auth-cache"
        case .prefix(let prefix): prefix + "/auth-cache"
        }
    }

    var cacheDirectory: String {
        switch self {
        case .systemInclude: "/var/lib/nginx/portico-cache"
        case .prefix(let prefix): prefix + "/cache"
        }
    }
}
