import Foundation
import NginxKit
import PorticoConfig
import Testing

struct EdgeRendererGoldenTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var versionFile: String
        var golden: String
        var present: [String]
        var absent: [String]
        var warnings: [String]
        var testDescription: String { golden }
    }

    static let cases: [Case] = [
        Case(
            versionFile: "nginx-V-1.22.1-debian.txt", golden: "golden-1.22.1.conf",
            present: ["listen 443 ssl http2;", "keepalive_time 1h;", "ssl_ocsp on;", "ssl_early_data on;"],
            absent: ["http2 on;", "quic", "http3 on;", "Alt-Svc"],
            warnings: ["edge.http3: left out: nginx 1.22.1 here has no HTTP/3 (needs nginx 1.25.0 or later built with --with-http_v3_module); serving HTTP/2 and HTTP/1.1"]),
        Case(
            versionFile: "nginx-V-1.25.1-no-h3.txt", golden: "golden-1.25.1.conf",
            present: ["listen 443 ssl;", "http2 on;"],
            absent: ["ssl http2;", "quic", "http3 on;"],
            warnings: ["edge.http3: left out: nginx 1.25.1 here has no HTTP/3 (needs a build with --with-http_v3_module); serving HTTP/2 and HTTP/1.1"]),
        Case(
            versionFile: "nginx-V-1.27.4-h3.txt", golden: "golden-1.27.4-h3.conf",
            present: ["listen 443 ssl;", "listen 443 quic reuseport;", "http2 on;", "http3 on;", "quic_retry on;", #"add_header Alt-Svc 'h3=":443"; ma=86400' always;"#],
            absent: ["ssl http2;"],
            warnings: []),
    ]

    @Test(arguments: cases)
    func rendersMatchTheGoldenFileForEachBuild(_ testCase: Case) throws {
        let plan = try Fixtures.renderer(try Fixtures.fullConfiguration(), build: try Fixtures.build(testCase.versionFile)).render()
        if ProcessInfo.processInfo.environment["PORTICO_UPDATE_GOLDEN"] == "1" {
            try plan.text.write(to: Fixtures.sourceDirectory.appendingPathComponent(testCase.golden), atomically: true, encoding: .utf8)
            return
        }
        let golden = try Fixtures.text(testCase.golden)
        #expect(plan.text == golden, "render differs from \(testCase.golden); regenerate with PORTICO_UPDATE_GOLDEN=1 and review")
        for line in testCase.present { #expect(plan.text.contains(line), "missing: \(line)") }
        for fragment in testCase.absent { #expect(!plan.text.contains(fragment), "unexpected: \(fragment)") }
        #expect(plan.warnings.filter(\.isOmission).map(\.description) == testCase.warnings)
    }

    @Test func strictModeRefusesAFeatureTheBuildLacks() throws {
        let renderer = Fixtures.renderer(try Fixtures.fullConfiguration(), build: try Fixtures.build("nginx-V-1.22.1-debian.txt"))
        let error = #expect(throws: EdgeError.self) { try renderer.render(strict: true) }
        #expect(error?.message.contains("edge.http3") == true)
        #expect(error?.message.contains("1.25.0") == true)
    }

    @Test func theMCPLocationStreamsAndNeverCaches() throws {
        let plan = try Fixtures.renderer(try Fixtures.fullConfiguration(), build: try Fixtures.build("nginx-V-1.22.1-debian.txt")).render()
        let parsed = try NginxConfigParser().parse(plan.text)
        let servers = parsed.flattened().filter { $0.name == "server" }
        let https = try #require(servers.first { $0.block?.contains { $0.name == "listen" && $0.args.contains("ssl") } == true })
        let mcp = try #require(https.block?.first { $0.name == "location" && $0.args == ["=", "/mcp"] })
        let settings = Dictionary((mcp.block ?? []).map { ($0.name, $0.args) }, uniquingKeysWith: { first, _ in first })
        #expect(settings["proxy_buffering"] == ["off"])
        #expect(settings["proxy_cache"] == ["off"])
        #expect(settings["gzip"] == ["off"])
        #expect(settings["proxy_http_version"] == ["1.1"])
        #expect(settings["proxy_read_timeout"] == ["3600s"])
        #expect(settings["client_max_body_size"] == ["4194304"])
        // Server level, so `/mcp/`, `/messages/` and every other location inherit them.
        let limits = (https.block ?? []).filter { $0.name == "limit_req" }.map(\.args)
        #expect((mcp.block ?? []).allSatisfy { $0.name != "limit_req" }, "a location with its own limit_req would drop the server's")
        #expect(limits == [["zone=portico_client", "burst=40", "nodelay"], ["zone=portico_tool_0", "burst=4", "nodelay"], ["zone=portico_tool_1", "nodelay"]])
        // Streams are never rate limited: the key maps give GET and listen an empty key.
        let clientMap = try #require(parsed.flattened().first { $0.name == "map" && $0.args.last == "$portico_client_key" })
        #expect(clientMap.block?.map(\.name) == ["POST:subscriptions/listen", "~^POST:", "default"])
        #expect(clientMap.block?.first?.args == [""])
        let http = try #require(servers.first { $0.block?.contains { $0.name == "listen" && $0.args == ["80"] } == true })
        let refusal = try #require(http.block?.first { $0.name == "location" && $0.args == ["=", "/mcp"] })
        #expect(refusal.child("return")?.args.first == "403", "a redirect would turn the POST into a GET")
    }

    @Test func aSystemIncludeHasNoMainContextDirectives() throws {
        let renderer = Fixtures.renderer(try Fixtures.fullConfiguration(), build: try Fixtures.build("nginx-V-1.22.1-debian.txt"), layout: .systemInclude)
        let parsed = try NginxConfigParser().parse(try renderer.render().text)
        let topLevel = Set(parsed.filter { !$0.isComment }.map(\.name))
        #expect(topLevel.isDisjoint(with: ["http", "events", "worker_processes", "pid", "error_log"]))
        #expect(topLevel.isSuperset(of: ["upstream", "server", "log_format", "limit_req_zone"]))
    }

    @Test func withoutACertificateTheEdgeServesPlainHTTPAndSaysSo() throws {
        let configuration = try PorticoConfiguration.decode(yaml: "edge:\n  http_port: 8080\n")
        let plan = try Fixtures.renderer(configuration, build: try Fixtures.build("nginx-V-1.22.1-debian.txt")).render()
        #expect(!plan.text.contains("ssl_certificate"))
        #expect(plan.text.contains("listen 8080;"))
        #expect(plan.endpoints.publicURL == "http://localhost:8080/mcp")
        #expect(plan.warnings.contains { $0.feature == "edge.tls" })
    }

    @Test func theRevisionDetectsEditsAndCertbot() throws {
        let plan = try Fixtures.renderer(try Fixtures.fullConfiguration(), build: try Fixtures.build("nginx-V-1.22.1-debian.txt")).render()
        #expect(EdgeRenderer.isUnmodified(plan.text))
        #expect(EdgeRenderer.declaredRevision(in: plan.text) == plan.revision)
        #expect(plan.text.contains("return 200 \(plan.revision);"))
        #expect(EdgeDeployer.foreignEdits(in: plan.text) == nil)
        let edited = plan.text.replacingOccurrences(of: "keepalive 32;", with: "keepalive 8;")
        #expect(!EdgeRenderer.isUnmodified(edited))
        #expect(EdgeDeployer.foreignEdits(in: edited)?.contains("edited by hand") == true)
        let certbot = plan.text + "    ssl_certificate /etc/letsencrypt/live/x/fullchain.pem; # managed by Certbot\n"
        #expect(EdgeDeployer.foreignEdits(in: certbot)?.contains("certbot") == true)
        #expect(EdgeDeployer.foreignEdits(in: "server { listen 80; }\n")?.contains("did not write") == true)
    }

    @Test func workerConnectionsFitTheOpenFileLimit() throws {
        var configuration = PorticoConfiguration()
        configuration.streams.maxListeners = 50_000
        var renderer = Fixtures.renderer(configuration, build: try Fixtures.build("nginx-V-1.22.1-debian.txt"))
        renderer.fileDescriptorLimit = 20_000
        let plan = try renderer.render()
        #expect(plan.text.contains("worker_rlimit_nofile 20000;"))
        #expect(plan.warnings.contains { $0.feature == "edge.worker_connections" && $0.message.contains("open-file limit is 20000") })
    }
}
