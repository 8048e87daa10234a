// swift-tools-version: 6.0
import Foundation
import PackageDescription

// Release builds need a target CPU: without one every SIMD FMA lowers to a call to `fmaf`.
// `-fno-math-errno` lets `sqrt` vectorise. Both apply to debug builds too, so a plain
// `swift build` emits the same instructions as `make`.
let arch: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "native", "-Xcc", "-fno-math-errno"])]
// Numeric modules: inlinable generics must specialise across modules, and bounds checks
// block vectorisation of the inner loops. `make test` sets OPTBENCH_CHECKED=1 (and its own
// build folder), which keeps every check on: a broken precondition or an out-of-bounds read in
// a test then fails instead of being undefined behaviour.
let checked = ProcessInfo.processInfo.environment["OPTBENCH_CHECKED"] == "1"
let hot: [SwiftSetting] = arch + [
    .unsafeFlags((checked ? [] : ["-Ounchecked"]) + ["-cross-module-optimization"], .when(configuration: .release)),
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
        .executable(name: "network-bench", targets: ["NetworkBenchmarks"]),
        .executable(name: "idx-fuzz", targets: ["IDXFuzz"]),
        .library(name: "OptBench", targets: ["Harness"]),
    ],
    targets: [
        // MARK: Libraries, lowest layer first:
        // Kernels ← LinearAlgebra, Core ← Datasets, NeuralNetworks ← Problems; Kernels, Core ← Optimizers; both ← Harness ← CLI
        .target(name: "Kernels", swiftSettings: hot),
        .target(name: "LinearAlgebra", dependencies: ["Kernels"], swiftSettings: hot),
        .target(name: "Core", dependencies: ["Kernels"], swiftSettings: hot),
        .target(name: "Datasets", dependencies: ["Core"], swiftSettings: hot),
        .target(name: "NeuralNetworks", dependencies: ["Kernels", "LinearAlgebra", "Core"], swiftSettings: hot),
        .target(name: "Problems", dependencies: ["Kernels", "LinearAlgebra", "Core", "Datasets", "NeuralNetworks"], swiftSettings: hot),
        .target(name: "Optimizers", dependencies: ["Kernels", "Core"], swiftSettings: hot),
        .target(name: "Harness", dependencies: ["Kernels", "Core", "Problems", "Optimizers"], swiftSettings: glue),
        .target(name: "OptBenchCLI", dependencies: ["Core", "Problems", "Optimizers", "Harness"], swiftSettings: glue),

        // MARK: Executables
        .executableTarget(name: "optbench", dependencies: ["OptBenchCLI"], swiftSettings: glue),
        .executableTarget(
            name: "KernelBenchmarks", dependencies: ["Kernels", "Optimizers"],
            path: "Benchmarks/KernelBenchmarks", swiftSettings: hot),
        .executableTarget(
            name: "ClassicalBenchmarks", dependencies: ["Kernels", "Core", "Problems", "Optimizers", "Harness"],
            path: "Benchmarks/ClassicalBenchmarks", swiftSettings: glue),
        .executableTarget(
            name: "IDXFuzz", dependencies: ["Datasets", "Core", "TestSupport"],
            path: "Benchmarks/IDXFuzz", swiftSettings: hot),

        .executableTarget(
            name: "NetworkBenchmarks", dependencies: ["Kernels", "Core", "Datasets", "NeuralNetworks", "Problems", "Optimizers"],
            path: "Benchmarks/NetworkBenchmarks", exclude: ["torch_mlp.py", "torch_resnet.py"], swiftSettings: glue),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["Kernels", "Core"], path: "Tests/TestSupport", swiftSettings: hot),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "TestSupport"], swiftSettings: hot),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra", "Kernels", "TestSupport"], swiftSettings: hot),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Core", "TestSupport"], swiftSettings: hot),
        .testTarget(name: "NeuralNetworksTests", dependencies: ["NeuralNetworks", "Core", "Kernels", "TestSupport"], swiftSettings: hot),
        .testTarget(name: "ProblemsTests", dependencies: ["Problems", "Core", "Kernels", "LinearAlgebra", "TestSupport"], swiftSettings: hot),
        .testTarget(name: "OptimizersTests", dependencies: ["Optimizers", "Core", "Kernels", "NeuralNetworks", "Problems", "TestSupport"], swiftSettings: hot),
        .testTarget(name: "HarnessTests", dependencies: ["Harness", "Problems", "Optimizers", "Core", "Kernels", "NeuralNetworks", "TestSupport"], swiftSettings: glue),
        .testTarget(name: "OptBenchCLITests", dependencies: ["OptBenchCLI", "Harness", "Problems", "Optimizers", "TestSupport"], swiftSettings: glue),
    ]
)
