import PorticoConfig
import Testing

struct MetricsConfigTests {
    typealias Case = BadConfigCase

    static let cases: [Case] = [
        Case(yaml: "metrics:\n  port: 70000\n", keyPath: "metrics.port", line: 2, fragment: "between 0 and 65535, got 70000"),
        Case(yaml: "server:\n  port: 9000\nmetrics:\n  port: 9000\n", keyPath: "metrics.port", line: 4, fragment: "must differ from server.port (9000)"),
        Case(yaml: "metrics:\n  host: 'not a host'\n", keyPath: "metrics.host", line: 2, fragment: "not a host"),
        Case(yaml: "metrics:\n  nginx_status_url: https://127.0.0.1:8081/nginx_status\n", keyPath: "metrics.nginx_status_url", line: 2, fragment: "plain-HTTP loopback URL"),
        Case(yaml: "metrics:\n  nginx_status_url: http://10.0.0.5:8081/nginx_status\n", keyPath: "metrics.nginx_status_url", line: 2, fragment: "plain-HTTP loopback URL"),
        Case(yaml: "metrics:\n  nginx_status_url: http://127.0.0.1:0/nginx_status\n", keyPath: "metrics.nginx_status_url", line: 2, fragment: "plain-HTTP loopback URL"),
        Case(yaml: "metrics:\n  enable: false\n", keyPath: "metrics.enable", line: 2, fragment: "did you mean 'enabled'"),
        Case(yaml: "metrics:\n  enabled: maybe\n", keyPath: "metrics.enabled", line: 2, fragment: "true or false"),
    ]

    @Test(arguments: cases)
    func badMetricsSettingsAreReportedWithKeyPathAndLine(_ testCase: Case) {
        testCase.expectSingleIssue()
    }

    @Test func metricsAreOnByDefaultOnLoopback() throws {
        let configuration = try PorticoConfiguration.decode(yaml: "", source: "test")
        #expect(configuration.metrics == .init(enabled: true, host: "127.0.0.1", port: 9464, nginxStatusURL: nil))
    }

    @Test(arguments: [
        ("http://127.0.0.1:8081/nginx_status", 8081, "/nginx_status"),
        ("http://localhost:9000", 9000, "/"),
    ])
    func theNginxStatusURLSplitsIntoPortAndPath(url: String, port: Int, path: String) {
        let endpoint = PorticoConfiguration.Metrics(nginxStatusURL: url).nginxStatusEndpoint
        #expect(endpoint?.port == port)
        #expect(endpoint?.path == path)
    }

    @Test func aDisabledListenerIsNotValidated() throws {
        let configuration = try PorticoConfiguration.decode(yaml: "metrics:\n  enabled: false\n  port: 70000\n", source: "test")
        #expect(configuration.validate().isEmpty)
    }
}
