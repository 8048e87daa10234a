// swift-tools-version: 6.0
import PackageDescription

// A plugin package: its own optimizer and problem, OptBench's command line over the standard
// catalog extended with them, and the conformance kit in its tests. It depends on OptBench by
// path (this checkout); from another repository use
//     .package(url: "https://…/OptBench.git", from: "1.0.0")   // or revision: "…"
// and build with `make` here, which passes the target-CPU flags on the command line.
let package = Package(
    name: "MyPlugin",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "OptBench", path: "../.."),
    ],
    targets: [
        .target(name: "MyPlugin", dependencies: [.product(name: "OptBench", package: "OptBench")]),
        .executableTarget(name: "my-optbench", dependencies: ["MyPlugin", .product(name: "OptBench", package: "OptBench")]),
        .testTarget(name: "MyPluginTests", dependencies: [
            "MyPlugin", .product(name: "OptBench", package: "OptBench"), .product(name: "OptBenchConformance", package: "OptBench"),
        ]),
    ]
)
