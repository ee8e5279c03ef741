// swift-tools-version:6.2
// The framework ceiling: Hummingbird alone, answering POST /mcp with a constant JSON body
// the size of Portico's echo reply. Whatever Portico loses against this is Portico's own cost.
import PackageDescription

let package = Package(
    name: "ceiling",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    ],
    targets: [
        .executableTarget(
            name: "ceiling",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")]
        ),
    ]
)
