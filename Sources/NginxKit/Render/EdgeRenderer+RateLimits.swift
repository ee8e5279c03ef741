import Foundation
import PorticoConfig

extension EdgeRenderer {
    /// Zones keyed by maps that yield an empty key (not counted) for everything a limit must
    /// skip: GET streams and `subscriptions/listen` are never limited; a tool limit counts only
    /// 2026-07-28 `tools/call` requests whose `Mcp-Name` header names that tool.
    var rateLimitZones: [NginxDirective] {
        var zones: [NginxDirective] = []
        let limits = edge.rateLimits
        if let perClient = limits.perClient.flatMap(PorticoConfiguration.Edge.Rate.init) {
            zones.append(NginxDirective("map", ["$request_method:$http_mcp_method", "$portico_client_key"], block: [
                NginxDirective("POST:subscriptions/listen", ""),
                NginxDirective("~^POST:", "$binary_remote_addr"),
                NginxDirective("default", ""),
            ]))
            zones.append(NginxDirective("limit_req_zone", "$portico_client_key", "zone=\(Self.clientZone):10m", "rate=\(perClient.nginxValue)"))
        }
        for (index, limit) in limits.tools.enumerated() {
            guard let rate = PorticoConfiguration.Edge.Rate(limit.rate) else { continue }
            let key = "$portico_tool_\(index)_key"
            // The literal name and its one canonical `=?base64?…?=` spelling (the app refuses others).
            zones.append(NginxDirective("map", ["$request_method:$http_mcp_method:$http_mcp_name", key], block: [
                NginxDirective("POST:tools/call:\(limit.tool)", "$binary_remote_addr"),
                NginxDirective("POST:tools/call:=?base64?\(Data(limit.tool.utf8).base64EncodedString())?=", "$binary_remote_addr"),
                NginxDirective("default", ""),
            ]))
            zones.append(NginxDirective("limit_req_zone", key, "zone=portico_tool_\(index):10m", "rate=\(rate.nginxValue)"))
        }
        return zones
    }

    /// `limit_req` lines for every server that proxies the app, with 429 and a JSON-RPC body
    /// instead of 503 HTML. Server level, so every location inherits them (`/mcp/`, `/messages/`
    /// and the rest); the maps give GET, listen and other tools an empty key, which is not counted.
    var rateLimitDirectives: [NginxDirective] {
        var lines: [NginxDirective] = []
        let limits = edge.rateLimits
        if limits.perClient.flatMap(PorticoConfiguration.Edge.Rate.init) != nil {
            lines.append(Self.limitRequest(zone: Self.clientZone, burst: limits.perClientBurst))
        }
        for (index, limit) in limits.tools.enumerated() where PorticoConfiguration.Edge.Rate(limit.rate) != nil {
            lines.append(Self.limitRequest(zone: "portico_tool_\(index)", burst: limit.burst))
        }
        guard !lines.isEmpty else { return [] }
        return lines + [
            NginxDirective("limit_req_status", "429"),
            NginxDirective("error_page", "429", "=", Self.rateLimitedLocation),
        ]
    }

    /// nginx rejects `burst=0` ("invalid burst value"); no burst is written as no parameter.
    static func limitRequest(zone: String, burst: Int) -> NginxDirective {
        NginxDirective("limit_req", ["zone=\(zone)"] + (burst > 0 ? ["burst=\(burst)"] : []) + ["nodelay"])
    }

    var rateLimitedResponse: NginxDirective {
        NginxDirective("location", [Self.rateLimitedLocation], block: [
            NginxDirective("default_type", "application/json"),
        ] + serverHeaders + [
            NginxDirective("add_header", "Retry-After", "1", "always"),
            NginxDirective("return", "429", #"{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"Rate limit exceeded at the edge for this client or tool; retry after 1 second"}}"#),
        ])
    }
}
