import MCPAuth
import MCPCore
import Testing

@Suite struct ProtectedResourceMetadataTests {
    static let wellKnown = "/.well-known/oauth-protected-resource"

    static let locations: [(resource: String, paths: [String], url: String)] = [
        ("https://h/mcp", [wellKnown + "/mcp", wellKnown], "https://h" + wellKnown + "/mcp"),
        ("https://h", [wellKnown], "https://h" + wellKnown),
        ("https://h/", [wellKnown], "https://h" + wellKnown),
        ("https://h/tenants/a/mcp", [wellKnown + "/tenants/a/mcp", wellKnown], "https://h" + wellKnown + "/tenants/a/mcp"),
        ("https://h:8443/mcp", [wellKnown + "/mcp", wellKnown], "https://h:8443" + wellKnown + "/mcp"),
        ("http://127.0.0.1:8080/mcp", [wellKnown + "/mcp", wellKnown], "http://127.0.0.1:8080" + wellKnown + "/mcp"),
    ]

    @Test("RFC 9728 §3.1: the path-inserted form first, then the root form", arguments: locations)
    func wellKnownPathsInsertTheResourcePath(_ resource: String, _ paths: [String], _ url: String) {
        let metadata = ProtectedResourceMetadata(resource: resource, authorizationServers: ["https://login.example.com"], scopesSupported: [])
        #expect(metadata.wellKnownPaths == paths)
        #expect(metadata.url == url)
    }

    func document(_ metadata: ProtectedResourceMetadata) throws -> JSONObject {
        try #require(try JSONParser.parse(metadata.json).objectValue)
    }

    @Test func theDocumentHoldsExactlyTheFieldsClientsRead() throws {
        let metadata = ProtectedResourceMetadata(
            resource: "https://mcp.example.com/mcp", authorizationServers: ["https://login.example.com/realms/mcp", "https://other.example.com"],
            scopesSupported: ["mcp", "mcp:write"], resourceName: "Portico")
        let object = try document(metadata)
        #expect(Set(object.keys) == ["resource", "authorization_servers", "bearer_methods_supported", "scopes_supported", "resource_name"])
        #expect(object["resource"] == "https://mcp.example.com/mcp")
        #expect(object["authorization_servers"] == ["https://login.example.com/realms/mcp", "https://other.example.com"])
        #expect(object["bearer_methods_supported"] == ["header"])
        #expect(object["scopes_supported"] == ["mcp", "mcp:write"])
        #expect(object["resource_name"] == "Portico")
    }

    @Test func emptyScopesAndNoNameAreLeftOut() throws {
        let object = try document(ProtectedResourceMetadata(resource: "https://h/mcp", authorizationServers: ["https://as"], scopesSupported: []))
        #expect(Set(object.keys) == ["resource", "authorization_servers", "bearer_methods_supported"])
    }

    @Test func offlineAccessIsNeverAdvertised() throws {
        let metadata = ProtectedResourceMetadata(
            resource: "https://h/mcp", authorizationServers: ["https://as"], scopesSupported: ["offline_access", "mcp", "offline_access"])
        #expect(metadata.scopesSupported == ["mcp"])
        #expect(try document(metadata)["scopes_supported"] == ["mcp"])
        let onlyOffline = ProtectedResourceMetadata(resource: "https://h/mcp", authorizationServers: ["https://as"], scopesSupported: ["offline_access"])
        #expect(try document(onlyOffline)["scopes_supported"] == nil)
    }

    @Test func theResourceIsWrittenExactlyAsConfigured() throws {
        // Never normalised: clients compare it byte for byte with the URL they were given.
        for resource in ["https://MCP.Example.com:443/MCP", "https://h/a%20b"] {
            let metadata = ProtectedResourceMetadata(resource: resource, authorizationServers: [], scopesSupported: [])
            #expect(try document(metadata)["resource"] == .string(resource))
            #expect(try document(metadata)["authorization_servers"] == [])
        }
    }
}
