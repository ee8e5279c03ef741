/// A rendered edge configuration and what the renderer had to leave out.
public struct EdgePlan: Sendable {
    /// The file's text, revision included.
    public var text: String
    /// 16 hex digits of SHA-256 over the text with the revision zeroed; served by the status
    /// listener so `apply` can prove nginx runs this exact file.
    public var revision: String
    public var warnings: [EdgeWarning]
    /// Where the plan listens, for probes and messages.
    public var endpoints: Endpoints

    public struct Endpoints: Sendable, Equatable {
        /// `https://host:port/mcp` or `http://…` when no certificate is configured.
        public var publicURL: String
        /// `http://127.0.0.1:<status_port>`.
        public var statusURL: String
    }
}

/// A feature the configuration asked for that this nginx cannot render, or a risky choice.
public struct EdgeWarning: Sendable, Equatable, CustomStringConvertible {
    /// The config key or feature, e.g. `edge.http3`.
    public var feature: String
    public var message: String
    /// Whether `--strict` turns it into an error (a requested feature left out).
    public var isOmission: Bool

    public init(feature: String, message: String, isOmission: Bool) {
        self.feature = feature
        self.message = message
        self.isOmission = isOmission
    }

    public var description: String { "\(feature): \(message)" }
}

/// Why a plan could not be made; each names the key or file to fix.
public struct EdgeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
