extension PorticoConfiguration {
    /// The `auth:` section: Portico as an OAuth 2.1 resource server (MCP `basic/authorization`,
    /// 2025-06-18 and later), with static API keys and client-certificate identities beside it.
    ///
    /// Off by default. When on, every MCP request needs a credential: a bearer token from a
    /// configured issuer (a JWT checked against the issuer's keys, or an opaque token checked
    /// by introspection), an API key, or a client certificate verified by the edge.
    public struct Auth: Codable, Sendable, Equatable {
        public var enabled: Bool
        /// The resource identifier (RFC 8707, RFC 9728 `resource`): the exact URL clients use for
        /// the endpoint, and the audience tokens must carry. `null` uses `server.public_url`.
        public var resource: String?
        /// Scopes every request needs; named in the `scope` of 401 challenges.
        public var requiredScopes: [String]
        /// `scopes_supported` in the metadata; empty lists every scope this file mentions.
        public var scopesSupported: [String]
        /// Leave out of list results what a principal may not use.
        public var hideForbidden: Bool
        /// Clock skew allowed when checking `exp` and `nbf`.
        public var leewaySeconds: Int
        /// How long a verified token is remembered (never past its expiry).
        public var cacheSeconds: Int
        /// Least time between two key-set fetches caused by unknown key ids, per issuer.
        public var jwksRefreshSeconds: Int
        public var issuers: [Issuer]
        public var apiKeys: [APIKey]
        /// Scopes needed for particular tools, prompts and resources.
        public var rules: [Rule]
        public var clientCertificates: ClientCertificates
        public var edge: EdgeOffload

        public init(
            enabled: Bool = false, resource: String? = nil, requiredScopes: [String] = [], scopesSupported: [String] = [],
            hideForbidden: Bool = true, leewaySeconds: Int = 60, cacheSeconds: Int = 300, jwksRefreshSeconds: Int = 30,
            issuers: [Issuer] = [], apiKeys: [APIKey] = [], rules: [Rule] = [],
            clientCertificates: ClientCertificates = ClientCertificates(), edge: EdgeOffload = EdgeOffload()
        ) {
            self.enabled = enabled
            self.resource = resource
            self.requiredScopes = requiredScopes
            self.scopesSupported = scopesSupported
            self.hideForbidden = hideForbidden
            self.leewaySeconds = leewaySeconds
            self.cacheSeconds = cacheSeconds
            self.jwksRefreshSeconds = jwksRefreshSeconds
            self.issuers = issuers
            self.apiKeys = apiKeys
            self.rules = rules
            self.clientCertificates = clientCertificates
            self.edge = edge
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case enabled, resource
            case requiredScopes = "required_scopes"
            case scopesSupported = "scopes_supported"
            case hideForbidden = "hide_forbidden"
            case leewaySeconds = "leeway_seconds"
            case cacheSeconds = "cache_seconds"
            case jwksRefreshSeconds = "jwks_refresh_seconds"
            case issuers
            case apiKeys = "api_keys"
            case rules
            case clientCertificates = "client_certificates"
            case edge
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Auth()
            enabled = try c.decodeValue(forKey: .enabled, default: d.enabled, in: decoder)
            resource = try c.decodeValue(forKey: .resource, default: d.resource, in: decoder)
            requiredScopes = try c.decodeValue(forKey: .requiredScopes, default: d.requiredScopes, in: decoder)
            scopesSupported = try c.decodeValue(forKey: .scopesSupported, default: d.scopesSupported, in: decoder)
            hideForbidden = try c.decodeValue(forKey: .hideForbidden, default: d.hideForbidden, in: decoder)
            leewaySeconds = try c.decodeValue(forKey: .leewaySeconds, default: d.leewaySeconds, in: decoder)
            cacheSeconds = try c.decodeValue(forKey: .cacheSeconds, default: d.cacheSeconds, in: decoder)
            jwksRefreshSeconds = try c.decodeValue(forKey: .jwksRefreshSeconds, default: d.jwksRefreshSeconds, in: decoder)
            issuers = try c.decodeValue(forKey: .issuers, default: d.issuers, in: decoder)
            apiKeys = try c.decodeValue(forKey: .apiKeys, default: d.apiKeys, in: decoder)
            rules = try c.decodeValue(forKey: .rules, default: d.rules, in: decoder)
            clientCertificates = try c.decodeValue(forKey: .clientCertificates, default: d.clientCertificates, in: decoder)
            edge = try c.decodeValue(forKey: .edge, default: d.edge, in: decoder)
        }
    }
}

extension PorticoConfiguration.Auth {
    /// JWS algorithms a token may be signed with. `none` and the HMAC family are not offered:
    /// a resource server holds no shared secret, and accepting HS* with a public key is the
    /// classic key-confusion attack (RFC 8725 §2.1, §3.1).
    public enum Algorithm: String, Codable, Sendable, Equatable, CaseIterable {
        case rs256 = "RS256", rs384 = "RS384", rs512 = "RS512"
        case ps256 = "PS256"
        case es256 = "ES256", es384 = "ES384"
        case edDSA = "EdDSA"
    }

    /// An authorization server whose tokens are accepted.
    public struct Issuer: Codable, Sendable, Equatable {
        /// The issuer identifier: equal to the tokens' `iss` and to `issuer` in its metadata.
        public var issuer: String
        /// Where its signing keys are; `null` finds them through RFC 8414 or OpenID metadata.
        public var jwksURL: String?
        /// The `aud` tokens must carry; `null` uses `auth.resource`.
        public var audience: String?
        public var algorithms: [Algorithm]
        /// RFC 7662 introspection, for opaque (non-JWT) tokens.
        public var introspection: Introspection?

        public init(
            issuer: String = "", jwksURL: String? = nil, audience: String? = nil, algorithms: [Algorithm] = [.rs256, .es256, .edDSA],
            introspection: Introspection? = nil
        ) {
            self.issuer = issuer
            self.jwksURL = jwksURL
            self.audience = audience
            self.algorithms = algorithms
            self.introspection = introspection
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case issuer
            case jwksURL = "jwks_url"
            case audience, algorithms, introspection
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Issuer()
            issuer = try c.decodeValue(forKey: .issuer, default: d.issuer, in: decoder)
            jwksURL = try c.decodeValue(forKey: .jwksURL, default: d.jwksURL, in: decoder)
            audience = try c.decodeValue(forKey: .audience, default: d.audience, in: decoder)
            algorithms = try c.decodeValue(forKey: .algorithms, default: d.algorithms, in: decoder)
            introspection = try c.decodeValue(forKey: .introspection, default: d.introspection, in: decoder)
        }
    }

    /// An issuer's introspection endpoint and Portico's client credentials there.
    public struct Introspection: Codable, Sendable, Equatable {
        public var endpoint: String
        public var clientID: String
        /// The environment variable holding the client secret; secrets stay out of the file.
        public var clientSecretEnv: String

        public init(endpoint: String = "", clientID: String = "", clientSecretEnv: String = "") {
            self.endpoint = endpoint
            self.clientID = clientID
            self.clientSecretEnv = clientSecretEnv
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case endpoint
            case clientID = "client_id"
            case clientSecretEnv = "client_secret_env"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Introspection()
            endpoint = try c.decodeValue(forKey: .endpoint, default: d.endpoint, in: decoder)
            clientID = try c.decodeValue(forKey: .clientID, default: d.clientID, in: decoder)
            clientSecretEnv = try c.decodeValue(forKey: .clientSecretEnv, default: d.clientSecretEnv, in: decoder)
        }
    }

    /// A static API key, sent as `Authorization: Bearer <key>`. Only its salted hash is stored
    /// (`portico auth new-key` prints a key and its hash).
    public struct APIKey: Codable, Sendable, Equatable {
        public var name: String
        /// `sha256:<salt hex>:<digest hex>`.
        public var hash: String
        public var scopes: [String]

        public init(name: String = "", hash: String = "", scopes: [String] = []) {
            self.name = name
            self.hash = hash
            self.scopes = scopes
        }

        enum CodingKeys: String, CodingKey, CaseIterable { case name, hash, scopes }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decodeValue(forKey: .name, default: "", in: decoder)
            hash = try c.decodeValue(forKey: .hash, default: "", in: decoder)
            scopes = try c.decodeValue(forKey: .scopes, default: [], in: decoder)
        }
    }

    /// Scopes one tool, prompt or group of resources needs; exactly one of `tool`, `prompt`
    /// and `resource_prefix` is set.
    public struct Rule: Codable, Sendable, Equatable {
        public var tool: String?
        public var prompt: String?
        /// Resources whose URI starts with this; the longest matching prefix wins.
        public var resourcePrefix: String?
        public var scopes: [String]

        public init(tool: String? = nil, prompt: String? = nil, resourcePrefix: String? = nil, scopes: [String] = []) {
            self.tool = tool
            self.prompt = prompt
            self.resourcePrefix = resourcePrefix
            self.scopes = scopes
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case tool, prompt
            case resourcePrefix = "resource_prefix"
            case scopes
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            tool = try c.decodeValue(forKey: .tool, default: nil, in: decoder)
            prompt = try c.decodeValue(forKey: .prompt, default: nil, in: decoder)
            resourcePrefix = try c.decodeValue(forKey: .resourcePrefix, default: nil, in: decoder)
            scopes = try c.decodeValue(forKey: .scopes, default: [], in: decoder)
        }
    }

    /// Identities from client certificates that nginx verified (`edge.mtls`). The edge passes
    /// the verification result and subject in `X-Portico-Client-Verify` and
    /// `X-Portico-Client-Subject`; those headers count only from `trusted_proxies`.
    public struct ClientCertificates: Codable, Sendable, Equatable {
        /// Addresses whose identity headers are believed; loopback by default (the managed edge).
        public var trustedProxies: [String]
        public var principals: [CertificatePrincipal]

        public init(trustedProxies: [String] = ["127.0.0.1", "::1"], principals: [CertificatePrincipal] = []) {
            self.trustedProxies = trustedProxies
            self.principals = principals
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case trustedProxies = "trusted_proxies"
            case principals
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = ClientCertificates()
            trustedProxies = try c.decodeValue(forKey: .trustedProxies, default: d.trustedProxies, in: decoder)
            principals = try c.decodeValue(forKey: .principals, default: d.principals, in: decoder)
        }
    }

    /// A certificate subject (as nginx writes `$ssl_client_s_dn`, RFC 2253) and its scopes.
    public struct CertificatePrincipal: Codable, Sendable, Equatable {
        public var subject: String
        public var scopes: [String]

        public init(subject: String = "", scopes: [String] = []) {
            self.subject = subject
            self.scopes = scopes
        }

        enum CodingKeys: String, CodingKey, CaseIterable { case subject, scopes }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            subject = try c.decodeValue(forKey: .subject, default: "", in: decoder)
            scopes = try c.decodeValue(forKey: .scopes, default: [], in: decoder)
        }
    }

    /// Token checks at the nginx edge (`auth_request` to `/_portico/auth`).
    public struct EdgeOffload: Codable, Sendable, Equatable {
        /// Render `auth_request` so nginx refuses bad credentials before they reach the app.
        public var offload: Bool
        /// Seconds nginx remembers an answer for one Authorization header (0: not at all).
        public var cacheSeconds: Int
        /// Let the app take the edge's verdict (principal headers from `trusted_proxies`)
        /// instead of verifying again.
        public var trustEdge: Bool

        public init(offload: Bool = true, cacheSeconds: Int = 10, trustEdge: Bool = false) {
            self.offload = offload
            self.cacheSeconds = cacheSeconds
            self.trustEdge = trustEdge
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case offload
            case cacheSeconds = "cache_seconds"
            case trustEdge = "trust_edge"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = EdgeOffload()
            offload = try c.decodeValue(forKey: .offload, default: d.offload, in: decoder)
            cacheSeconds = try c.decodeValue(forKey: .cacheSeconds, default: d.cacheSeconds, in: decoder)
            trustEdge = try c.decodeValue(forKey: .trustEdge, default: d.trustEdge, in: decoder)
        }
    }
}

extension PorticoConfiguration.Auth {
    /// The resource identifier in effect: `auth.resource`, else `server.public_url`.
    public func resourceURL(server: PorticoConfiguration.Server) -> String? {
        resource ?? server.publicURL
    }

    /// Every scope the file mentions, for `scopes_supported` when none are listed.
    public var mentionedScopes: [String] {
        var seen = Set<String>()
        let all = requiredScopes + rules.flatMap(\.scopes) + apiKeys.flatMap(\.scopes) + clientCertificates.principals.flatMap(\.scopes)
        return all.filter { seen.insert($0).inserted }
    }
}

extension PorticoConfiguration.Auth: ConfigValue {
    static var expectation: String { "a mapping of auth settings" }
    static var pluralExpectation: String { "mappings" }
}

extension PorticoConfiguration.Auth.Issuer: ConfigValue {
    static var expectation: String { "a mapping describing an authorization server" }
    static var pluralExpectation: String { "mappings" }
}

extension PorticoConfiguration.Auth.Introspection: ConfigValue {
    static var expectation: String { "a mapping with endpoint, client_id and client_secret_env" }
    static var pluralExpectation: String { "mappings" }
}

extension PorticoConfiguration.Auth.APIKey: ConfigValue {
    static var expectation: String { "a mapping with name, hash and scopes" }
    static var pluralExpectation: String { "mappings" }
}

extension PorticoConfiguration.Auth.Rule: ConfigValue {
    static var expectation: String { "a mapping with one of tool, prompt or resource_prefix, and scopes" }
    static var pluralExpectation: String { "mappings" }
}

extension PorticoConfiguration.Auth.ClientCertificates: ConfigValue {
    static var expectation: String { "a mapping with trusted_proxies and principals" }
    static var pluralExpectation: String { "mappings" }
}

extension PorticoConfiguration.Auth.CertificatePrincipal: ConfigValue {
    static var expectation: String { "a mapping with subject and scopes" }
    static var pluralExpectation: String { "mappings" }
}

extension PorticoConfiguration.Auth.EdgeOffload: ConfigValue {
    static var expectation: String { "a mapping with offload, cache_seconds and trust_edge" }
    static var pluralExpectation: String { "mappings" }
}

extension PorticoConfiguration.Auth.Algorithm: ConfigEnum {
    public init(from decoder: any Decoder) throws { self = try Self.decodeWord(from: decoder) }
    static var kindName: String { "signing algorithm" }
}
