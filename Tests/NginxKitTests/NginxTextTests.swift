import NginxKit
import Testing

struct NginxBuildTests {
    @Test(arguments: [
        ("nginx-V-1.22.1-debian.txt", "1.22.1", true, false, false, "3.0.22"),
        ("nginx-V-1.25.1-no-h3.txt", "1.25.1", true, false, true, "3.0.9"),
        ("nginx-V-1.27.4-h3.txt", "1.27.4", true, true, true, "3.0.15"),
    ])
    func versionModulesAndOpenSSLAreRead(_ file: String, _ version: String, _ http2: Bool, _ http3: Bool, _ directive: Bool, _ openSSL: String) throws {
        let build = try Fixtures.build(file)
        #expect(build.version.description == version)
        #expect(build.hasHTTP2 == http2)
        #expect(build.hasHTTP3 == http3)
        #expect(build.usesHTTP2Directive == directive)
        #expect(build.hasStubStatus)
        #expect(build.openSSL == openSSL)
    }

    @Test func aDynamicModuleIsNotABuiltInOne() throws {
        let build = try Fixtures.build("nginx-V-1.22.1-debian.txt")
        #expect(!build.modules.contains("stream"))
        #expect(build.configureArguments.contains { $0.hasPrefix("--with-cc-opt='-g -O2") })
    }

    @Test(arguments: ["", "nginx: command not found", "nginx version: nginx/abc"])
    func outputWithoutAVersionIsAnError(_ text: String) {
        #expect(throws: NginxBuild.ParseFailure.self) { try NginxBuild(versionOutput: text) }
    }

    @Test(arguments: [("1.22.1", "1.25.1", true), ("1.25.1", "1.25.1", false), ("1.9.15", "1.19.0", true), ("2.0.0", "1.29.9", false)])
    func versionsOrderNumerically(_ lhs: String, _ rhs: String, _ less: Bool) {
        #expect((NginxVersion(lhs)! < NginxVersion(rhs)!) == less)
    }
}

struct NginxDiagnosticTests {
    struct Case: Sendable {
        var line: String
        var level: NginxDiagnostic.Level
        var message: String
        var file: String?
        var lineNumber: Int?
    }

    static let cases: [Case] = [
        Case(line: #"2026/11/27 15:03:32 [emerg] 18791#18791: invalid parameter "quic" in /p/seed.conf:12"#, level: .emerg, message: #"invalid parameter "quic""#, file: "/p/seed.conf", lineNumber: 12),
        Case(line: #"nginx: [emerg] unknown directive "http2" in /etc/nginx/conf.d/portico.conf:40"#, level: .emerg, message: #"unknown directive "http2""#, file: "/etc/nginx/conf.d/portico.conf", lineNumber: 40),
        Case(line: "2026/11/27 15:03:32 [emerg] 10#10: bind() to 127.0.0.1:18081 failed (98: Address already in use)", level: .emerg, message: "bind() to 127.0.0.1:18081 failed (98: Address already in use)", file: nil, lineNumber: nil),
        Case(line: #"nginx: [warn] "ssl_stapling" ignored, no OCSP responder URL in the certificate "/c/server.crt""#, level: .warn, message: #""ssl_stapling" ignored, no OCSP responder URL in the certificate "/c/server.crt""#, file: nil, lineNumber: nil),
    ]

    @Test(arguments: cases.indices)
    func bothMessageFormatsAreRead(_ index: Int) throws {
        let testCase = Self.cases[index]
        let diagnostic = try #require(NginxDiagnostic(line: testCase.line))
        #expect(diagnostic.level == testCase.level)
        #expect(diagnostic.message == testCase.message)
        #expect(diagnostic.file == testCase.file)
        #expect(diagnostic.line == testCase.lineNumber)
    }

    @Test func untaggedLinesAreSkipped() {
        #expect(NginxDiagnostic(line: "nginx: configuration file /etc/nginx/nginx.conf test failed") == nil)
    }
}

struct NginxConfigParserTests {
    @Test func aRenderedPlanParsesBackToTheSameTree() throws {
        let plan = try Fixtures.renderer(try Fixtures.fullConfiguration(), build: try Fixtures.build("nginx-V-1.27.4-h3.txt")).render()
        let parsed = try NginxConfigParser().parse(plan.text)
        #expect(NginxDirective.render(Self.withoutLines(parsed)) == plan.text)
    }

    static func withoutLines(_ statements: [NginxDirective]) -> [NginxDirective] {
        statements.map { statement in
            var copy = statement
            copy.line = nil
            copy.block = statement.block.map(withoutLines)
            return copy
        }
    }

    @Test(arguments: [
        ("", #""""#), ("plain", "plain"), ("two words", #""two words""#), (#"{"json":1}"#, #"'{"json":1}'"#),
        ("semi;colon", #""semi;colon""#), (#"back\slash"#, #""back\\slash""#), ("$remote_addr", "$remote_addr"),
    ])
    func argumentsRoundTripThroughQuoting(_ argument: String, _ written: String) throws {
        #expect(NginxDirective.quoted(argument) == written)
        let parsed = try NginxConfigParser().parse("x \(written);\n")
        #expect(parsed.first?.args == [argument])
    }

    @Test func commentsAndLinesAreKept() throws {
        let text = "# top\nhttp {\n    server { listen 80; # managed by Certbot\n    }\n}\n"
        let parsed = try NginxConfigParser().parse(text)
        #expect(parsed.first?.comment == " top")
        let server = try #require(parsed.flattened().first { $0.name == "server" })
        #expect(server.line == 3)
        #expect(server.block?.map(\.name) == ["listen", "#"])
        #expect(server.block?.last?.comment == " managed by Certbot")
        #expect(server.block?.last?.line == 3)
    }

    @Test func ifConditionsLoseTheirParentheses() throws {
        let parsed = try NginxConfigParser().parse("if ($host = a) { return 301 https://$host$request_uri; }\n")
        #expect(parsed.first?.args == ["$host", "=", "a"])
    }

    @Test(arguments: [
        ("}", "unexpected \"}\"", 1), ("http {\n  server {\n", "expecting \"}\"", 2),
        ("listen 80", "expecting \";\" or \"}\"", 1), ("return 200 \"open\n", "quoted string", 1), ("a;\n;", "unexpected \";\"", 2),
    ])
    func malformedTextFailsWithTheLine(_ text: String, _ fragment: String, _ line: Int) {
        let failure = #expect(throws: NginxConfigParser.Failure.self) { try NginxConfigParser().parse(text) }
        #expect(failure?.message.contains(fragment) == true, "\(failure?.message ?? "")")
        #expect(failure?.line == line)
    }
}

struct StubStatusTests {
    @Test func theExactPageOf1_22IsRead() throws {
        let page = "Active connections: 1 \nserver accepts handled requests\n 73 73 74 \nReading: 0 Writing: 1 Waiting: 2 \n"
        let status = try #require(StubStatus(page))
        #expect(status == StubStatus(page))
        #expect([status.active, status.accepted, status.handled, status.requests, status.reading, status.writing, status.waiting] == [1, 73, 73, 74, 0, 1, 2])
    }

    @Test func anotherPageIsNotStubStatus() {
        #expect(StubStatus("<html>404</html>") == nil)
    }
}
