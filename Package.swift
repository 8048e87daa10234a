// swift-tools-version: 6.0
import PackageDescription

// Release builds need a target CPU: without one every SIMD FMA lowers to a call to `fmaf`.
// `-fno-math-errno` lets `sqrt` vectorise. Both apply to debug builds too, so a plain
// `swift build` emits the same instructions as `make`.
let arch: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "native", "-Xcc", "-fno-math-errno"])]
// Numeric modules: inlinable generics must specialise across modules, and bounds checks
// block vectorisation of the inner loops.
let hot: [SwiftSetting] = arch + [
    .unsafeFlags(["-Ounchecked", "-cross-module-optimization"], .when(configuration: .release)),
]
let glue: [SwiftSetting] = arch + [
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
]

let package = Package(
    name: "OptBench",
    products: [
        .executable(name: "optbench", targets: ["optbench"]),
        .executable(name: "kernel-bench", targets: ["KernelBenchmarks"]),
        .executable(name: "classical-bench", targets: ["ClassicalBenchmarks"]),
        .library(name: "OptBench", targets: ["Harness"]),
    ],
    targets: [
        // MARK: Libraries, lowest layer first: Kernels, Core ← Problems, Optimizers ← Harness ← CLI
        .target(name: "Kernels", swiftSettings: hot),
        .target(name: "Core", dependencies: ["Kernels"], swiftSettings: hot),
        .target(name: "Problems", dependencies: ["Kernels", "Core"], swiftSettings: hot),
        .target(name: "Optimizers", dependencies: ["Kernels", "Core"], swiftSettings: hot),
        .target(name: "Harness", dependencies: ["Kernels", "Core", "Problems", "Optimizers"], swiftSettings: glue),
        .target(name: "OptBenchCLI", dependencies: ["Harness"], swiftSettings: glue),

        // MARK: Executables
        .executableTarget(name: "optbench", dependencies: ["OptBenchCLI"], swiftSettings: glue),
        .executableTarget(
            name: "KernelBenchmarks", dependencies: ["Kernels"],
            path: "Benchmarks/KernelBenchmarks", swiftSettings: hot),
        .executableTarget(
            name: "ClassicalBenchmarks", dependencies: ["Harness", "Problems", "Optimizers", "Kernels"],
            path: "Benchmarks/ClassicalBenchmarks", swiftSettings: glue),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["Kernels", "Core"], path: "Tests/TestSupport", swiftSettings: hot),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "TestSupport"], swiftSettings: hot),
        .testTarget(name: "ProblemsTests", dependencies: ["Problems", "TestSupport"], swiftSettings: hot),
        .testTarget(name: "OptimizersTests", dependencies: ["Optimizers", "TestSupport"], swiftSettings: hot),
        .testTarget(name: "HarnessTests", dependencies: ["Harness", "TestSupport"], swiftSettings: glue),
        .testTarget(name: "OptBenchCLITests", dependencies: ["OptBenchCLI", "TestSupport"], swiftSettings: glue),
    ]
)
