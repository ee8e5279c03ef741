import Foundation
import PorticoConfig
import Testing

/// A class so `deinit` can remove the per-test directory; Swift Testing makes one instance per test.
final class LoadFileTests {
    /// A fresh directory per test so parallel tests never share files.
    private let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("portico-config-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    private func write(_ text: String, to name: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func missingFileMeansDefaults() throws {
        let path = directory.appendingPathComponent("absent.yaml").path
        #expect(try PorticoConfiguration.load(contentsOf: path) == PorticoConfiguration())
    }

    @Test func emptyFileMeansDefaults() throws {
        let path = try write("", to: "portico.yaml")
        #expect(try PorticoConfiguration.load(contentsOf: path) == PorticoConfiguration())
    }

    @Test func fileValuesAreDecoded() throws {
        let path = try write("server:\n  port: 9090\n", to: "portico.yaml")
        #expect(try PorticoConfiguration.load(contentsOf: path).server.port == 9090)
    }

    @Test func errorsNameTheFilePath() throws {
        let path = try write("server:\n  port: 70000\n", to: "portico.yaml")
        let error = #expect(throws: ConfigError.self) {
            try PorticoConfiguration.load(contentsOf: path)
        }
        #expect(error?.source == path)
        #expect(error?.description.hasPrefix("\(path):2: server.port:") == true)
    }

    @Test func unreadablePathIsAnErrorNotDefaults() {
        let error = #expect(throws: ConfigError.self) {
            try PorticoConfiguration.load(contentsOf: directory.path)
        }
        #expect(error?.issues.first?.message.hasPrefix("cannot read file") == true)
    }
}
