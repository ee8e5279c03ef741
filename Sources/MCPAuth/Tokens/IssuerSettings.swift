/// JWS algorithms a resource server may accept for access tokens (RFC 7518 §3.1, RFC 8037
/// §3.1). Only asymmetric ones: `none` would accept anything, and HMAC ones would need a
/// secret shared with the authorization server, which is exactly the confusion that lets
/// a token "signed" with an RSA public key pass (RFC 8725 §2.1, §3.1).
public enum JWTAlgorithmName: String, Sendable, Hashable, CaseIterable {
    case rs256 = "RS256"
    case rs384 = "RS384"
    case rs512 = "RS512"
    case ps256 = "PS256"
    case es256 = "ES256"
    case es384 = "ES384"
    case eddsa = "EdDSA"

    /// RFC 8725 §3.1: a key must only be used with the algorithm it was made for, so the
    /// JWK's `kty` and `crv` (RFC 7518 §6) have to fit the token's `alg`.
    func fits(keyType: String?, curve: String?) -> Bool {
        switch self {
        case .rs256, .rs384, .rs512, .ps256: keyType == "RSA"
        case .es256: keyType == "EC" && curve == "P-256"
        case .es384: keyType == "EC" && curve == "P-384"
        case .eddsa: keyType == "OKP" && curve == "Ed25519"
        }
    }
}

/// One trusted authorization server (RFC 8414 §2 `issuer`) and how its tokens are checked.
public struct IssuerSettings: Sendable {
    /// Compared byte for byte with a JWT's `iss` (RFC 7519 §4.1.1, RFC 9068 §4) and with
    /// the `issuer` of the discovered metadata (RFC 8414 §3.3).
    public var issuer: String
    /// Where the signing keys are. `nil`: read `jwks_uri` from the issuer's metadata
    /// (RFC 8414 §3, then OpenID Connect Discovery).
    public var jwksURL: String?
    /// This resource server's identifier, which a token's `aud` must contain (RFC 9068 §4,
    /// RFC 8707 §2: the client asked for a token for exactly this resource).
    public var audience: String
    /// Algorithms accepted from this issuer; anything else is refused before any key is looked up.
    public var algorithms: Set<JWTAlgorithmName>
    /// For tokens that are not JWTs: ask the issuer (RFC 7662).
    public var introspection: IntrospectionSettings?

    public init(
        issuer: String,
        jwksURL: String? = nil,
        audience: String,
        algorithms: Set<JWTAlgorithmName> = Set(JWTAlgorithmName.allCases),
        introspection: IntrospectionSettings? = nil
    ) {
        self.issuer = issuer
        self.jwksURL = jwksURL
        self.audience = audience
        self.algorithms = algorithms
        self.introspection = introspection
    }
}

/// An RFC 7662 introspection endpoint and the resource server's own client credentials
/// for it (§2.1: the endpoint requires the caller to authenticate).
public struct IntrospectionSettings: Sendable {
    public var endpoint: String
    public var clientID: String
    public var clientSecret: String

    public init(endpoint: String, clientID: String, clientSecret: String) {
        self.endpoint = endpoint
        self.clientID = clientID
        self.clientSecret = clientSecret
    }
}
