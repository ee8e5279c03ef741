/// The tree of keys `portico.yaml` may contain, derived from the Codable keys so the two cannot drift apart.
indirect enum ConfigSchema: Sendable {
    /// A key whose value is a scalar or a list of scalars.
    case value
    /// A mapping with a fixed set of keys, in declaration order so messages list them predictably.
    case section([(key: String, schema: ConfigSchema)])
    /// A list whose elements are sections, such as `edge.rate_limits.tools`.
    case list(ConfigSchema)

    /// The schema of the whole file.
    static let portico: ConfigSchema = .section(
        PorticoConfiguration.CodingKeys.allCases.map { key in
            // Exhaustive so a new section cannot be added without teaching the schema about it.
            switch key {
            case .server: (key.rawValue, values(PorticoConfiguration.Server.CodingKeys.self))
            case .limits: (key.rawValue, values(PorticoConfiguration.Limits.CodingKeys.self))
            case .logging: (key.rawValue, values(PorticoConfiguration.Logging.CodingKeys.self))
            case .tools: (key.rawValue, values(PorticoConfiguration.Tools.CodingKeys.self))
            case .streams: (key.rawValue, values(PorticoConfiguration.Streams.CodingKeys.self))
            case .requestState: (key.rawValue, values(PorticoConfiguration.RequestState.CodingKeys.self))
            case .tasks: (key.rawValue, values(PorticoConfiguration.Tasks.CodingKeys.self))
            case .edge: (key.rawValue, edge)
            case .sources: (key.rawValue, sources)
            case .auth: (key.rawValue, auth)
            case .metrics: (key.rawValue, values(PorticoConfiguration.Metrics.CodingKeys.self))
            }
        }
    )

    private static var edge: ConfigSchema {
        typealias Edge = PorticoConfiguration.Edge
        return .section(Edge.CodingKeys.allCases.map { key in
            switch key {
            case .tls: (key.rawValue, values(Edge.TLS.CodingKeys.self))
            case .mtls: (key.rawValue, values(Edge.MutualTLS.CodingKeys.self))
            case .microCache: (key.rawValue, values(Edge.MicroCache.CodingKeys.self))
            case .rateLimits:
                (key.rawValue, .section(Edge.RateLimits.CodingKeys.allCases.map { limitKey in
                    limitKey == .tools
                        ? (limitKey.rawValue, .list(values(Edge.ToolLimit.CodingKeys.self)))
                        : (limitKey.rawValue, .value)
                }))
            default: (key.rawValue, .value)
            }
        })
    }

    private static var sources: ConfigSchema {
        typealias Sources = PorticoConfiguration.Sources
        return .section(Sources.CodingKeys.allCases.map { key in
            switch key {
            case .stdio: (key.rawValue, .list(values(Sources.Stdio.CodingKeys.self)))
            case .commands: (key.rawValue, .list(values(Sources.Command.CodingKeys.self)))
            case .files: (key.rawValue, .list(values(Sources.Files.CodingKeys.self)))
            }
        })
    }

    private static var auth: ConfigSchema {
        typealias Auth = PorticoConfiguration.Auth
        return .section(Auth.CodingKeys.allCases.map { key in
            switch key {
            case .issuers:
                (key.rawValue, .list(.section(Auth.Issuer.CodingKeys.allCases.map { issuerKey in
                    issuerKey == .introspection
                        ? (issuerKey.rawValue, values(Auth.Introspection.CodingKeys.self))
                        : (issuerKey.rawValue, .value)
                })))
            case .apiKeys: (key.rawValue, .list(values(Auth.APIKey.CodingKeys.self)))
            case .rules: (key.rawValue, .list(values(Auth.Rule.CodingKeys.self)))
            case .clientCertificates:
                (key.rawValue, .section(Auth.ClientCertificates.CodingKeys.allCases.map { certificateKey in
                    certificateKey == .principals
                        ? (certificateKey.rawValue, .list(values(Auth.CertificatePrincipal.CodingKeys.self)))
                        : (certificateKey.rawValue, .value)
                }))
            case .edge: (key.rawValue, values(Auth.EdgeOffload.CodingKeys.self))
            default: (key.rawValue, .value)
            }
        })
    }

    private static func values<Key: CodingKey & CaseIterable>(_: Key.Type) -> ConfigSchema {
        .section(Key.allCases.map { (key: $0.stringValue, schema: .value) })
    }

    /// Known keys of a section, in declaration order; empty for a value.
    var keys: [String] {
        guard case let .section(children) = self else { return [] }
        return children.map(\.key)
    }

    /// The schema of `key` in this section, if it is known.
    func child(_ key: String) -> ConfigSchema? {
        guard case let .section(children) = self else { return nil }
        return children.first { $0.key == key }?.schema
    }

    /// Every leaf key path (`server.port`, …), for pointing a misplaced key at the section it belongs to.
    func leafPaths(under prefix: String = "") -> [String] {
        switch self {
        case .value:
            return [prefix]
        case let .list(element):
            return element.leafPaths(under: prefix + "[]")
        case let .section(children):
            return children.flatMap { $0.schema.leafPaths(under: ConfigKeyPath.child(prefix, $0.key)) }
        }
    }
}
