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
        .library(name: "OptBench", targets: ["OptBenchHarness"]),
    ],
    targets: [
        // MARK: Libraries, lowest layer first:
        // Kernels ← LinearAlgebra, Core ← Datasets, NeuralNetworks ← Problems; Kernels, Core ← Optimizers; both ← Harness ← CLI
        .target(name: "OptBenchKernels", path: "Sources/Kernels", swiftSettings: hot),
        .target(name: "OptBenchLinearAlgebra", dependencies: ["OptBenchKernels"], path: "Sources/LinearAlgebra", swiftSettings: hot),
        .target(name: "OptBenchCore", dependencies: ["OptBenchKernels"], path: "Sources/Core", swiftSettings: hot),
        .target(name: "OptBenchDatasets", dependencies: ["OptBenchKernels", "OptBenchCore"], path: "Sources/Datasets", swiftSettings: hot),
        .target(name: "OptBenchNeuralNetworks", dependencies: ["OptBenchKernels", "OptBenchLinearAlgebra", "OptBenchCore"], path: "Sources/NeuralNetworks", swiftSettings: hot),
        .target(name: "OptBenchProblems", dependencies: ["OptBenchKernels", "OptBenchLinearAlgebra", "OptBenchCore", "OptBenchDatasets", "OptBenchNeuralNetworks"], path: "Sources/Problems", swiftSettings: hot),
        .target(name: "OptBenchOptimizers", dependencies: ["OptBenchKernels", "OptBenchCore"], path: "Sources/Optimizers", swiftSettings: hot),
        .target(name: "OptBenchHarness", dependencies: ["OptBenchKernels", "OptBenchCore", "OptBenchProblems", "OptBenchOptimizers"], path: "Sources/Harness", swiftSettings: glue),
        .target(name: "OptBenchCLI", dependencies: ["OptBenchCore", "OptBenchProblems", "OptBenchOptimizers", "OptBenchHarness"], swiftSettings: glue),

        // MARK: Executables
        .executableTarget(name: "optbench", dependencies: ["OptBenchCLI"], swiftSettings: glue),
        .executableTarget(
            name: "KernelBenchmarks", dependencies: ["OptBenchKernels", "OptBenchOptimizers"],
            path: "Benchmarks/KernelBenchmarks", swiftSettings: hot),
        .executableTarget(
            name: "ClassicalBenchmarks", dependencies: ["OptBenchKernels", "OptBenchCore", "OptBenchProblems", "OptBenchOptimizers", "OptBenchHarness"],
            path: "Benchmarks/ClassicalBenchmarks", swiftSettings: glue),
        .executableTarget(
            name: "IDXFuzz", dependencies: ["OptBenchDatasets", "OptBenchCore", "TestSupport"],
            path: "Benchmarks/IDXFuzz", swiftSettings: hot),

        .executableTarget(
            name: "NetworkBenchmarks", dependencies: ["OptBenchKernels", "OptBenchCore", "OptBenchDatasets", "OptBenchNeuralNetworks", "OptBenchProblems", "OptBenchOptimizers"],
            path: "Benchmarks/NetworkBenchmarks", exclude: ["torch_mlp.py", "torch_resnet.py"], swiftSettings: glue),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["OptBenchKernels", "OptBenchCore"], path: "Tests/TestSupport", swiftSettings: hot),
        .testTarget(name: "KernelsTests", dependencies: ["OptBenchKernels", "TestSupport"], swiftSettings: hot),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["OptBenchLinearAlgebra", "OptBenchKernels", "TestSupport"], swiftSettings: hot),
        .testTarget(name: "DatasetsTests", dependencies: ["OptBenchDatasets", "OptBenchCore", "TestSupport"], swiftSettings: hot),
        .testTarget(name: "NeuralNetworksTests", dependencies: ["OptBenchNeuralNetworks", "OptBenchCore", "OptBenchKernels", "TestSupport"], swiftSettings: hot),
        .testTarget(name: "ProblemsTests", dependencies: ["OptBenchProblems", "OptBenchOptimizers", "OptBenchCore", "OptBenchKernels", "OptBenchLinearAlgebra", "TestSupport"], swiftSettings: hot),
        .testTarget(name: "OptimizersTests", dependencies: ["OptBenchOptimizers", "OptBenchCore", "OptBenchKernels", "OptBenchNeuralNetworks", "OptBenchProblems", "TestSupport"], swiftSettings: hot),
        .testTarget(name: "HarnessTests", dependencies: ["OptBenchHarness", "OptBenchProblems", "OptBenchOptimizers", "OptBenchCore", "OptBenchKernels", "OptBenchNeuralNetworks", "TestSupport"], swiftSettings: glue),
        .testTarget(name: "OptBenchCLITests", dependencies: ["OptBenchCLI", "OptBenchHarness", "OptBenchProblems", "OptBenchOptimizers", "TestSupport"], swiftSettings: glue),
    ]
)
