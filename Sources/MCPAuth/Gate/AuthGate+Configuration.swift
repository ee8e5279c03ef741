import AsyncHTTPClient
public import Logging
public import MCPCore
public import PorticoConfig
#if canImport(Glibc)
import Glibc
#endif

/// A problem that keeps authentication from starting, such as a missing client secret.
public struct AuthSetupError: Error, CustomStringConvertible {
    public let description: String
}

extension AuthGate {
    /// The gate for `configuration.auth`, or `nil` when authentication is off.
    ///
    /// Keys are fetched with the process-wide `HTTPClient.shared`, so nothing needs shutting down.
    public static func make(
        configuration: PorticoConfiguration, environment: (String) -> String? = { getenv($0).map { String(cString: $0) } },
        failures: AuthFailureMetrics? = nil, logger: Logger
    ) throws(AuthSetupError) -> AuthGate? {
        let auth = configuration.auth
        guard auth.enabled else { return nil }
        guard let resource = auth.resourceURL(server: configuration.server) else {
            throw AuthSetupError(description: "auth needs auth.resource or server.public_url")
        }
        var issuers: [IssuerSettings] = []
        for issuer in auth.issuers {
            var introspection: IntrospectionSettings?
            if let settings = issuer.introspection {
                guard let secret = environment(settings.clientSecretEnv), !secret.isEmpty else {
                    throw AuthSetupError(description: "auth.issuers '\(issuer.issuer)': the introspection client secret variable \(settings.clientSecretEnv) is not set")
                }
                introspection = IntrospectionSettings(endpoint: settings.endpoint, clientID: settings.clientID, clientSecret: secret)
            }
            issuers.append(IssuerSettings(
                issuer: issuer.issuer, jwksURL: issuer.jwksURL, audience: issuer.audience ?? resource,
                algorithms: Set(issuer.algorithms.compactMap { JWTAlgorithmName(rawValue: $0.rawValue) }), introspection: introspection))
        }
        let verifier = BearerTokenVerifier(
            issuers: issuers,
            apiKeys: auth.apiKeys.map { APIKeyEntry(name: $0.name, hash: $0.hash, scopes: Set($0.scopes)) },
            leeway: Double(auth.leewaySeconds), cacheTTL: Double(auth.cacheSeconds),
            minimumKeyRefreshInterval: Double(auth.jwksRefreshSeconds),
            httpClient: HTTPClient.shared, logger: logger)
        let supported = auth.scopesSupported.isEmpty ? auth.mentionedScopes : auth.scopesSupported
        let metadata = issuers.isEmpty
            ? nil
            : ProtectedResourceMetadata(resource: resource, authorizationServers: issuers.map(\.issuer), scopesSupported: supported, resourceName: "Portico")
        var certificates: [String: Set<String>] = [:]
        for principal in auth.clientCertificates.principals { certificates[principal.subject] = Set(principal.scopes) }
        return AuthGate(
            verifier: verifier, metadata: metadata, requiredScopes: auth.requiredScopes,
            // Only what every request needs: asking for every scope would have clients request
            // write and admin scopes up front. Item rules name theirs in their own 403.
            challengeScopes: auth.requiredScopes,
            trustedProxies: TrustedProxies(auth.clientCertificates.trustedProxies), certificatePrincipals: certificates,
            trustsEdge: auth.edge.trustEdge, failures: failures, logger: logger)
    }
}

extension AccessPolicy {
    /// The scopes `auth.rules` asks for; open when authentication is off.
    public init(auth: PorticoConfiguration.Auth) {
        guard auth.enabled else {
            self = .open
            return
        }
        var tools: [String: Set<String>] = [:]
        var prompts: [String: Set<String>] = [:]
        var resources: [String: Set<String>] = [:]
        for rule in auth.rules {
            if let tool = rule.tool { tools[tool, default: []].formUnion(rule.scopes) }
            if let prompt = rule.prompt { prompts[prompt, default: []].formUnion(rule.scopes) }
            if let prefix = rule.resourcePrefix { resources[prefix, default: []].formUnion(rule.scopes) }
        }
        self.init(
            baseScopes: Set(auth.requiredScopes), toolScopes: tools, promptScopes: prompts, resourceScopes: resources,
            hidesForbidden: auth.hideForbidden)
    }
}
