import Foundation
import NginxKit
import PorticoConfig

enum Fixtures {
    static let directory = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    static func build(_ name: String) throws -> NginxBuild {
        try NginxBuild(versionOutput: text(name))
    }

    static func fullConfiguration() throws -> PorticoConfiguration {
        try PorticoConfiguration.decode(yaml: text("edge-full.yaml"))
    }

    static func renderer(_ configuration: PorticoConfiguration, build: NginxBuild, layout: EdgeLayout = .prefix("/srv/portico/nginx")) -> EdgeRenderer {
        EdgeRenderer(configuration: configuration, build: build, layout: layout, upstream: "127.0.0.1:8080", generator: "Portico test")
    }

    /// Where golden files live in the source tree, for `PORTICO_UPDATE_GOLDEN=1`.
    static let sourceDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
}
