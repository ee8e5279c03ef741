import MCPCore
import Testing

@Suite("ProtocolVersion")
struct ProtocolVersionTests {
    @Test("initialize echoes a served legacy version and answers anything else with the latest legacy one", arguments: [
        ("2025-03-26", ProtocolVersion.v2025_03_26),
        ("2025-06-18", .v2025_06_18),
        ("2025-11-25", .v2025_11_25),
        ("2026-07-28", .v2025_11_25),
        ("2024-11-05", .v2025_11_25),
        ("2099-01-01", .v2025_11_25),
        ("", .v2025_11_25),
        ("2025-06-18 ", .v2025_11_25),
        ("latest", .v2025_11_25),
    ])
    func negotiates(_ requested: String, _ expected: ProtocolVersion) {
        #expect(ProtocolVersion.negotiate(requested: requested) == expected)
    }

    @Test("era-dependent features switch on at the documented revisions", arguments: [
        (ProtocolVersion.v2025_03_26, false, true, false),
        (.v2025_06_18, false, false, false),
        (.v2025_11_25, false, false, true),
        (.v2026_07_28, true, false, true),
    ])
    func features(_ version: ProtocolVersion, _ isModern: Bool, _ allowsBatches: Bool, _ supportsPriming: Bool) {
        #expect(version.isModern == isModern)
        #expect(version.allowsBatches == allowsBatches)
        #expect(version.supportsPriming == supportsPriming)
    }

    @Test("versions order by date and split into the two eras; 2024-11-05 only over HTTP+SSE")
    func ordersAndSplits() {
        #expect(ProtocolVersion.allCases.sorted() == [.v2024_11_05, .v2025_03_26, .v2025_06_18, .v2025_11_25, .v2026_07_28])
        #expect(ProtocolVersion.httpSSE + ProtocolVersion.modern == ProtocolVersion.allCases.sorted())
        #expect(!ProtocolVersion.legacy.contains(.v2024_11_05))
        #expect(ProtocolVersion.latestLegacy == ProtocolVersion.legacy.max())
    }

    @Test("logging levels order from debug to emergency")
    func ordersLoggingLevels() {
        let names = LoggingLevel.allCases.sorted().map(\.rawValue)
        #expect(names == ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"])
    }
}
