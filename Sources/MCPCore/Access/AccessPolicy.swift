/// Which scopes a principal needs for each tool, prompt and resource, and whether what it may
/// not use is hidden from its lists.
///
/// The transport checks a call before it runs (a missing scope is HTTP 403 with
/// `error="insufficient_scope"`, spec 2025-11-25 `basic/authorization` §Scope Challenge
/// Handling); the server filters list results here so a client is not offered what it cannot use.
public struct AccessPolicy: Sendable {
    /// Something a request can use.
    public enum Item: Sendable, Hashable {
        case tool(String)
        case prompt(String)
        /// A resource URI; rules match by prefix, the longest prefix wins.
        case resource(String)
    }

    /// Scopes every request needs, whatever it uses.
    public var baseScopes: Set<String>
    public var toolScopes: [String: Set<String>]
    public var promptScopes: [String: Set<String>]
    /// URI prefixes with their scopes, longest first.
    public private(set) var resourceScopes: [(prefix: String, scopes: Set<String>)]
    /// Whether list results leave out what the principal may not use.
    public var hidesForbidden: Bool

    public init(
        baseScopes: Set<String> = [], toolScopes: [String: Set<String>] = [:], promptScopes: [String: Set<String>] = [:],
        resourceScopes: [String: Set<String>] = [:], hidesForbidden: Bool = true
    ) {
        self.baseScopes = baseScopes
        self.toolScopes = toolScopes
        self.promptScopes = promptScopes
        self.resourceScopes = resourceScopes.map { ($0.key, $0.value) }.sorted { $0.prefix.count > $1.prefix.count }
        self.hidesForbidden = hidesForbidden
    }

    /// A policy that lets everyone use everything (authentication off).
    public static let open = AccessPolicy(hidesForbidden: false)

    /// Whether no item has rules of its own, so lists never differ between principals.
    public var isUniform: Bool { toolScopes.isEmpty && promptScopes.isEmpty && resourceScopes.isEmpty }

    /// Every scope `item` needs: the base scopes plus the item's own.
    public func requiredScopes(for item: Item) -> Set<String> {
        baseScopes.union(ownScopes(for: item) ?? [])
    }

    /// The scopes `principal` lacks for `item`, sorted; empty when it may go ahead. Without a
    /// principal (authentication off) nothing is missing.
    public func missingScopes(for item: Item, principal: Principal?) -> [String] {
        guard let principal else { return [] }
        let own = ownScopes(for: item)
        // The common case, no rule of its own and the base scopes held, allocates nothing.
        if own == nil, baseScopes.isSubset(of: principal.scopes) { return [] }
        return baseScopes.union(own ?? []).subtracting(principal.scopes).sorted()
    }

    private func ownScopes(for item: Item) -> Set<String>? {
        switch item {
        case .tool(let name): return toolScopes[name]
        case .prompt(let name): return promptScopes[name]
        case .resource(let uri):
            // Matched in decoded form too: `repo://acme/%70rivate/x` is `repo://acme/private/x` to
            // the template that reads it, so it must not slip past a rule on `repo://acme/private/`.
            let decoded = PercentDecoding.decode(uri)
            return resourceScopes.first { uri.hasPrefix($0.prefix) || decoded.hasPrefix($0.prefix) }?.scopes
        }
    }

    /// Whether list results for `principal` leave `item` out.
    func hides(_ item: Item, from principal: Principal?) -> Bool {
        hidesForbidden && !missingScopes(for: item, principal: principal).isEmpty
    }
}
