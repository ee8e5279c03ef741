import PorticoConfig
import Testing

struct EdgeConfigTests {
    typealias Case = BadConfigCase

    static let cases: [Case] = [
        Case(yaml: "edge:\n  rate_limits:\n    per_client: 0r/s\n", keyPath: "edge.rate_limits.per_client", line: 3, fragment: "at least 1"),
        Case(yaml: "edge:\n  rate_limits:\n    per_client: fast\n", keyPath: "edge.rate_limits.per_client", line: 3, fragment: "is not a rate"),
        Case(
            yaml: "edge:\n  rate_limits:\n    tools:\n      - {tool: search, rate: 0r/m}\n",
            keyPath: "edge.rate_limits.tools[0].rate", line: 4, fragment: "at least 1"),
        Case(
            yaml: "edge:\n  rate_limits:\n    tools:\n      - {tool: search, rate: 1r/s, brust: 2}\n",
            keyPath: "edge.rate_limits.tools[0].brust", line: 4, fragment: "did you mean 'burst'"),
        Case(
            yaml: "edge:\n  rate_limits:\n    tools:\n      - {tool: search}\n",
            keyPath: "edge.rate_limits.tools[0].rate", line: nil, fragment: "is required"),
        Case(
            yaml: "edge:\n  rate_limits:\n    tools:\n      - {tool: a, rate: 1r/s}\n      - {tool: a, rate: 2r/s}\n",
            keyPath: "edge.rate_limits.tools[1].tool", line: 5, fragment: "more than one limit"),
        Case(yaml: "edge:\n  tls:\n    protocol: [TLSv1.3]\n", keyPath: "edge.tls.protocol", line: 3, fragment: "did you mean 'protocols'"),
        Case(yaml: "edge:\n  tls:\n    protocols: [TLSv1.1]\n", keyPath: "edge.tls.protocols[0]", line: 3, fragment: "is not offered"),
        Case(yaml: "edge:\n  tls:\n    certificate: /etc/cert.pem\n", keyPath: "edge.tls.certificate_key", line: nil, fragment: "set both or neither"),
        Case(yaml: "edge:\n  proxy_timeout_seconds: 60\n", keyPath: "edge.proxy_timeout_seconds", line: 2, fragment: "shorter than the longest call"),
        Case(
            yaml: "limits:\n  call_timeout_seconds: 0\nstreams:\n  keepalive_seconds: 40\nedge:\n  proxy_timeout_seconds: 60\n",
            keyPath: "edge.proxy_timeout_seconds", line: 6, fragment: "use at least 80"),
        Case(yaml: "edge:\n  http_port: 443\n", keyPath: "edge.http_port", line: 2, fragment: "must differ from https_port"),
        Case(yaml: "edge:\n  https_port: 0\n", keyPath: "edge.https_port", line: 2, fragment: "between 1 and 65535"),
        Case(yaml: "edge:\n  quic_retry: true\n", keyPath: "edge.quic_retry", line: 2, fragment: "needs http3: true"),
        Case(yaml: "edge:\n  trusted_proxies: [10.0.0.0/33]\n", keyPath: "edge.trusted_proxies[0]", line: 2, fragment: "not an IP address or CIDR"),
        Case(yaml: "edge:\n  micro_cache:\n    routes: [/mcp]\n", keyPath: "edge.micro_cache.routes[0]", line: 3, fragment: "MCP replies are never cached"),
        Case(yaml: "edge:\n  micro_cache:\n    routes: [healthz]\n", keyPath: "edge.micro_cache.routes[0]", line: 3, fragment: "starting with '/'"),
        Case(yaml: "edge:\n  mtls:\n    verify: maybe\n", keyPath: "edge.mtls.verify", line: 3, fragment: "expected one of: on, optional"),
        Case(yaml: "edge:\n  mtls:\n    ocsp: true\n    client_certificate: /ca.pem\n", keyPath: "edge.resolver", line: nil, fragment: "needs a DNS resolver"),
        Case(yaml: "edge:\n  tls:\n    ocsp_stapling: true\n", keyPath: "edge.resolver", line: nil, fragment: "needs a DNS resolver"),
        Case(yaml: "edge:\n  server_names: ['bad name']\n", keyPath: "edge.server_names[0]", line: 2, fragment: "is not a server name"),
        Case(yaml: "edge:\n  worker_connections: 10\n", keyPath: "edge.worker_connections", line: 2, fragment: "at least 64"),
        Case(yaml: "edge:\n  acme_webroot: acme\n", keyPath: "edge.acme_webroot", line: 2, fragment: "absolute directory path"),
        Case(yaml: "edge:\n  nginxx: /usr/sbin/nginx\n", keyPath: "edge.nginxx", line: 2, fragment: "did you mean 'nginx'"),
        Case(yaml: "limits:\n  call_timeout_seconds: -1\n", keyPath: "limits.call_timeout_seconds", line: 2, fragment: "0 (no limit) or more"),
    ]

    @Test(arguments: cases)
    func badEdgeSettingsAreReportedWithKeyPathAndLine(_ testCase: Case) {
        testCase.expectSingleIssue()
    }

    @Test func theDefaultEdgeIsValidAndSafe() throws {
        let configuration = try PorticoConfiguration.decode(yaml: "")
        #expect(configuration.validate().isEmpty)
        let edge = configuration.edge
        #expect(edge.tls.protocols == ["TLSv1.3"])
        #expect(edge.tls.ocspStapling == false)
        #expect(edge.upstreamKeepalive == 32)
        #expect(edge.proxyTimeoutSeconds >= edge.minimumProxyTimeoutSeconds(in: configuration))
    }

    @Test(arguments: ["per_client: null", "per_client: off", "per_client: ~"])
    func thePerClientLimitCanBeSwitchedOff(_ line: String) throws {
        let configuration = try PorticoConfiguration.decode(yaml: "edge:\n  rate_limits:\n    \(line)\n")
        #expect(configuration.edge.rateLimits.perClient == nil)
        #expect(try PorticoConfiguration.decode(yaml: "edge:\n  rate_limits: {}\n").edge.rateLimits.perClient == "50r/s")
    }

    @Test(arguments: [("20r/s", 20, false), ("600r/m", 600, true), ("1r/s", 1, false)])
    func ratesParse(_ text: String, _ count: Int, _ perMinute: Bool) {
        let rate = PorticoConfiguration.Edge.Rate(text)
        #expect(rate?.count == count)
        #expect(rate?.perMinute == perMinute)
        #expect(rate?.nginxValue == text)
    }

    @Test(arguments: ["0r/s", "r/s", "5r/h", "-1r/s", "5", ""])
    func badRatesDoNotParse(_ text: String) {
        #expect(PorticoConfiguration.Edge.Rate(text) == nil)
    }
}
