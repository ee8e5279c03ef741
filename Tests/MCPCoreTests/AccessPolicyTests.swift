import MCPCore
import Testing

@Suite("AccessPolicy")
struct AccessPolicyTests {
    static let policy = AccessPolicy(
        baseScopes: ["mcp"],
        toolScopes: ["deploy": ["ops"], "read": []],
        promptScopes: ["secret": ["prompts:admin"]],
        resourceScopes: [
            "files://": ["files"],
            "files://docs/": ["docs"],
            "files://docs/private/": ["docs", "private"],
        ])

    static let required: [(item: AccessPolicy.Item, scopes: Set<String>)] = [
        (.tool("deploy"), ["mcp", "ops"]),
        (.tool("read"), ["mcp"]),
        (.tool("unlisted"), ["mcp"]),
        (.prompt("secret"), ["mcp", "prompts:admin"]),
        // A tool rule says nothing about a prompt of the same name, and the other way round.
        (.prompt("deploy"), ["mcp"]),
        (.tool("secret"), ["mcp"]),
        (.resource("files://notes.txt"), ["mcp", "files"]),
        (.resource("files://docs/guide.md"), ["mcp", "docs"]),
        (.resource("files://docs/private/salaries.csv"), ["mcp", "docs", "private"]),
        (.resource("files://docs"), ["mcp", "files"]),
        (.resource("files:/docs/guide.md"), ["mcp"]),
        (.resource("mem://cache"), ["mcp"]),
    ]

    @Test("every item needs the base scopes plus its own; the longest matching resource prefix wins", arguments: required)
    func requiredScopesAddBaseScopesToTheItemsOwn(_ item: AccessPolicy.Item, _ scopes: Set<String>) {
        #expect(Self.policy.requiredScopes(for: item) == scopes)
    }

    /// The longest prefix wins however the rules were written, so the table order does not matter.
    @Test("the longest resource prefix wins whatever order the rules come in")
    func longestPrefixWinsRegardlessOfOrder() {
        for _ in 0..<20 {
            let rules = [("a://", Set(["short"])), ("a://b/", ["middle"]), ("a://b/c/", ["long"])].shuffled()
            let policy = AccessPolicy(resourceScopes: Dictionary(uniqueKeysWithValues: rules))
            #expect(policy.requiredScopes(for: .resource("a://b/c/d")) == ["long"])
            #expect(policy.requiredScopes(for: .resource("a://b/x")) == ["middle"])
            #expect(policy.requiredScopes(for: .resource("a://x")) == ["short"])
            #expect(policy.resourceScopes.map(\.prefix) == ["a://b/c/", "a://b/", "a://"])
        }
    }

    static let missing: [(item: AccessPolicy.Item, scopes: Set<String>, missing: [String])] = [
        (.tool("deploy"), ["mcp", "ops"], []),
        (.tool("deploy"), ["mcp", "ops", "extra"], []),
        (.tool("deploy"), ["mcp"], ["ops"]),
        (.tool("deploy"), [], ["mcp", "ops"]),
        (.tool("deploy"), ["OPS", "MCP"], ["mcp", "ops"]),
        (.tool("deploy"), ["mcp:ops"], ["mcp", "ops"]),
        (.prompt("secret"), ["mcp"], ["prompts:admin"]),
        (.resource("files://docs/private/x"), ["mcp", "docs"], ["private"]),
        (.resource("files://docs/private/x"), ["files"], ["docs", "mcp", "private"]),
        (.resource("mem://cache"), ["mcp"], []),
    ]

    @Test("missing scopes are compared exactly and listed sorted", arguments: missing)
    func missingScopesAreExactAndSorted(_ item: AccessPolicy.Item, _ scopes: Set<String>, _ expected: [String]) {
        #expect(Self.policy.missingScopes(for: item, principal: Principal(id: "p", scopes: scopes)) == expected)
    }

    @Test("without a principal (authentication off) nothing is missing", arguments: [
        AccessPolicy.Item.tool("deploy"), .prompt("secret"), .resource("files://docs/private/x"), .tool("unlisted"),
    ])
    func nothingIsMissingWithoutAPrincipal(_ item: AccessPolicy.Item) {
        #expect(Self.policy.missingScopes(for: item, principal: nil) == [])
    }

    @Test("the open policy asks nothing of anyone and hides nothing")
    func openPolicyRequiresNothing() {
        let open = AccessPolicy.open
        #expect(open.baseScopes.isEmpty)
        #expect(!open.hidesForbidden)
        #expect(open.isUniform)
        for item in [AccessPolicy.Item.tool("deploy"), .prompt("secret"), .resource("files://docs/private/x")] {
            #expect(open.requiredScopes(for: item).isEmpty)
            #expect(open.missingScopes(for: item, principal: Principal(id: "p", scopes: [])) == [])
        }
    }

    @Test("a policy is uniform only while no item has rules of its own")
    func uniformityIgnoresBaseScopes() {
        #expect(AccessPolicy(baseScopes: ["mcp"]).isUniform)
        #expect(!AccessPolicy(toolScopes: ["t": ["x"]]).isUniform)
        #expect(!AccessPolicy(promptScopes: ["p": ["x"]]).isUniform)
        #expect(!AccessPolicy(resourceScopes: ["r://": ["x"]]).isUniform)
        #expect(!Self.policy.isUniform)
    }

    /// A template decodes its variables, so a rule must see the URI the same way or an escaped
    /// character would walk past it.
    @Test("resource rules see through percent-encoding, as the templates they guard do", arguments: [
        "repo://acme/private/x", "repo://acme/%70rivate/x", "repo://acme/%70rivate/x%ZZ", "repo://acme/priv%61te/%",
    ])
    func resourceRulesMatchTheDecodedURI(_ uri: String) {
        let policy = AccessPolicy(resourceScopes: ["repo://acme/private/": ["secret"]])
        #expect(policy.missingScopes(for: .resource(uri), principal: Principal(id: "a", scopes: [])) == ["secret"])
        #expect(policy.missingScopes(for: .resource("repo://acme/public/x"), principal: Principal(id: "a", scopes: [])).isEmpty)
    }
}
