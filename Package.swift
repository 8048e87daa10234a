// swift-tools-version: 6.0
import Foundation
import PackageDescription

// Release builds need a target CPU: without one every SIMD FMA lowers to a call to `fmaf`.
// `-fno-math-errno` lets `sqrt` vectorise. Both apply to debug builds too, so a plain
// `swift build` emits the same instructions as `make`. OPTBENCH_TARGET_CPU names another CPU
// than this one (`znver3`, `haswell`: the AVX2 + FMA code of a machine without AVX-512); such a
// build cannot see that CPU's registers, and is told so for the kernels' tile choice (KernelISA).
//
// SwiftPM refuses unsafe flags in a dependency pinned by version. When this package is checked
// out as another package's dependency (`…/checkouts/…`), or OPTBENCH_PORTABLE=1, it declares
// none; the depending package passes the same flags on its command line instead
// (`-Xswiftc -target-cpu -Xswiftc native -Xcc -fno-math-errno`, as Examples/PluginTemplate's
// Makefile does), and they reach every module. The root package and a path dependency keep them.
let environment = ProcessInfo.processInfo.environment
let portable = Context.packageDirectory.contains("/checkouts/") || environment["OPTBENCH_PORTABLE"] == "1"
let targetCPU = environment["OPTBENCH_TARGET_CPU"] ?? "native"
let arch: [SwiftSetting] = portable ? [] : [.unsafeFlags(["-target-cpu", targetCPU, "-Xcc", "-fno-math-errno"])]
    + (targetCPU == "native" ? [] : [.define("OPTBENCH_EXPLICIT_TARGET_CPU")])
// Numeric modules: inlinable generics must specialise across modules, and bounds checks
// block vectorisation of the inner loops. `make test` sets OPTBENCH_CHECKED=1 (and its own
// build folder), which keeps every check on: a broken precondition or an out-of-bounds read in
// a test then fails instead of being undefined behaviour.
let checked = environment["OPTBENCH_CHECKED"] == "1"
let hot: [SwiftSetting] = arch + (portable ? [] : [
    .unsafeFlags((checked ? [] : ["-Ounchecked"]) + ["-cross-module-optimization"], .when(configuration: .release)),
])
let glue: [SwiftSetting] = arch + (portable ? [] : [
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
])

let libraries = [
    "OptBenchKernels", "OptBenchLinearAlgebra", "OptBenchCore", "OptBenchDatasets", "OptBenchNeuralNetworks",
    "OptBenchProblems", "OptBenchOptimizers", "OptBenchHarness", "OptBenchReports", "OptBenchExperiments", "OptBenchSuites", "OptBenchCatalog", "OptBenchCLI",
]

let package = Package(
    name: "OptBench",
    products: [
        .executable(name: "optbench", targets: ["optbench"]),
        // What a plugin package imports: the protocols (Core), kernels, problems, optimizers, the
        // harness, reports, the standard catalog and the command line (`OptBench.main`).
        .library(name: "OptBench", targets: libraries),
        // The battery every catalog entry passes, for a plugin's own tests.
        .library(name: "OptBenchConformance", targets: ["OptBenchConformance"]),
        .executable(name: "kernel-bench", targets: ["KernelBenchmarks"]),
        .executable(name: "classical-bench", targets: ["ClassicalBenchmarks"]),
        .executable(name: "network-bench", targets: ["NetworkBenchmarks"]),
        .executable(name: "idx-fuzz", targets: ["IDXFuzz"]),
        .executable(name: "json-fuzz", targets: ["JSONFuzz"]),
    ],
    targets: [
        // MARK: Libraries, lowest layer first: Kernels ← LinearAlgebra, Core ← Datasets, NeuralNetworks ←
        // Problems; Kernels, Core ← Optimizers; both ← Harness ← Reports; Harness ← Catalog (+ Suites) ← CLI
        .target(name: "OptBenchKernels", path: "Sources/Kernels", swiftSettings: hot),
        .target(name: "OptBenchLinearAlgebra", dependencies: ["OptBenchKernels"], path: "Sources/LinearAlgebra", swiftSettings: hot),
        .target(name: "OptBenchCore", dependencies: ["OptBenchKernels"], path: "Sources/Core", swiftSettings: hot),
        .target(name: "OptBenchDatasets", dependencies: ["OptBenchKernels", "OptBenchCore"], path: "Sources/Datasets", swiftSettings: hot),
        .target(name: "OptBenchNeuralNetworks", dependencies: ["OptBenchKernels", "OptBenchLinearAlgebra", "OptBenchCore"],
                path: "Sources/NeuralNetworks", swiftSettings: hot),
        .target(name: "OptBenchProblems",
                dependencies: ["OptBenchKernels", "OptBenchLinearAlgebra", "OptBenchCore", "OptBenchDatasets", "OptBenchNeuralNetworks"],
                path: "Sources/Problems", swiftSettings: hot),
        .target(name: "OptBenchOptimizers", dependencies: ["OptBenchKernels", "OptBenchLinearAlgebra", "OptBenchCore"], path: "Sources/Optimizers", swiftSettings: hot),
        .target(name: "OptBenchHarness", dependencies: ["OptBenchKernels", "OptBenchCore", "OptBenchProblems", "OptBenchOptimizers"],
                path: "Sources/Harness", swiftSettings: glue),
        .target(name: "OptBenchReports", dependencies: ["OptBenchKernels", "OptBenchCore", "OptBenchHarness"],
                path: "Sources/Reports", swiftSettings: glue),
        .target(name: "OptBenchExperiments", dependencies: ["OptBenchKernels", "OptBenchLinearAlgebra", "OptBenchCore", "OptBenchDatasets", "OptBenchNeuralNetworks", "OptBenchProblems", "OptBenchOptimizers", "OptBenchHarness", "OptBenchReports"], path: "Sources/Experiments", swiftSettings: glue),
        // The built-in suites: the JSON files of suites/, embedded in the binary.
        .target(name: "OptBenchSuites", path: "suites",
                resources: ["default", "classical", "smoke", "nets", "nets-accuracy", "nets-conv", "nets-preconditioned"].map { .embedInCode("\($0).json") },
                swiftSettings: glue),
        .target(name: "OptBenchCatalog", dependencies: ["OptBenchHarness", "OptBenchProblems", "OptBenchOptimizers", "OptBenchSuites", "OptBenchExperiments"],
                path: "Sources/Catalog", swiftSettings: glue),
        .target(name: "OptBenchCLI",
                dependencies: ["OptBenchKernels", "OptBenchCore", "OptBenchProblems", "OptBenchOptimizers", "OptBenchHarness", "OptBenchReports", "OptBenchCatalog"],
                swiftSettings: glue),
        .target(name: "OptBenchConformance",
                dependencies: ["OptBenchKernels", "OptBenchCore", "OptBenchProblems", "OptBenchOptimizers", "OptBenchHarness", "OptBenchCLI"],
                path: "Sources/Conformance", swiftSettings: glue),

        // MARK: Executables
        .executableTarget(name: "optbench", dependencies: ["OptBenchCLI", "OptBenchCatalog"], swiftSettings: glue),
        .executableTarget(
            name: "KernelBenchmarks", dependencies: ["OptBenchKernels", "OptBenchOptimizers"],
            path: "Benchmarks/KernelBenchmarks", swiftSettings: hot),
        .executableTarget(
            name: "ClassicalBenchmarks",
            dependencies: ["OptBenchKernels", "OptBenchCore", "OptBenchProblems", "OptBenchOptimizers", "OptBenchHarness", "OptBenchReports",
                           "OptBenchCatalog"],
            path: "Benchmarks/ClassicalBenchmarks", swiftSettings: glue),
        .executableTarget(
            name: "IDXFuzz", dependencies: ["OptBenchDatasets", "OptBenchCore", "TestSupport"],
            path: "Benchmarks/IDXFuzz", swiftSettings: hot),
        // Reads its readers' internals (`@testable`): build it with testing enabled, as `make fuzz` does.
        .executableTarget(
            name: "JSONFuzz", dependencies: ["OptBenchCore", "OptBenchHarness", "OptBenchReports", "OptBenchCatalog"],
            path: "Benchmarks/JSONFuzz", swiftSettings: glue),
        .executableTarget(
            name: "NetworkBenchmarks",
            dependencies: ["OptBenchKernels", "OptBenchCore", "OptBenchDatasets", "OptBenchNeuralNetworks", "OptBenchProblems",
                           "OptBenchOptimizers", "OptBenchHarness", "OptBenchCatalog"],
            path: "Benchmarks/NetworkBenchmarks", exclude: ["torch_mlp.py", "torch_resnet.py"], swiftSettings: glue),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["OptBenchKernels", "OptBenchCore"], path: "Tests/TestSupport", swiftSettings: hot),
        .testTarget(name: "KernelsTests", dependencies: ["OptBenchKernels", "TestSupport"], swiftSettings: hot),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["OptBenchLinearAlgebra", "OptBenchKernels", "TestSupport"], swiftSettings: hot),
        .testTarget(name: "DatasetsTests", dependencies: ["OptBenchDatasets", "OptBenchCore", "TestSupport"], swiftSettings: hot),
        .testTarget(name: "NeuralNetworksTests", dependencies: ["OptBenchNeuralNetworks", "OptBenchCore", "OptBenchKernels", "TestSupport"],
                    swiftSettings: hot),
        .testTarget(name: "ProblemsTests",
                    dependencies: ["OptBenchProblems", "OptBenchOptimizers", "OptBenchCore", "OptBenchKernels", "OptBenchLinearAlgebra",
                                   "OptBenchCatalog", "OptBenchHarness", "TestSupport"],
                    swiftSettings: hot),
        .testTarget(name: "OptimizersTests",
                    dependencies: ["OptBenchOptimizers", "OptBenchCore", "OptBenchKernels", "OptBenchNeuralNetworks", "OptBenchProblems",
                                   "OptBenchCatalog", "OptBenchHarness", "TestSupport"],
                    swiftSettings: hot),
        .testTarget(name: "HarnessTests",
                    dependencies: ["OptBenchHarness", "OptBenchReports", "OptBenchProblems", "OptBenchOptimizers", "OptBenchCore", "OptBenchKernels",
                                   "OptBenchNeuralNetworks", "OptBenchCatalog", "OptBenchConformance", "TestSupport"],
                    swiftSettings: glue),
        .testTarget(name: "ExperimentsTests",
                    dependencies: ["OptBenchKernels", "OptBenchLinearAlgebra", "OptBenchCore", "OptBenchDatasets", "OptBenchNeuralNetworks",
                                   "OptBenchProblems", "OptBenchOptimizers", "OptBenchHarness", "OptBenchReports", "OptBenchExperiments"],
                    swiftSettings: glue),
        .testTarget(name: "OptBenchCLITests",
                    dependencies: ["OptBenchCLI", "OptBenchHarness", "OptBenchReports", "OptBenchProblems", "OptBenchOptimizers",
                                   "OptBenchCatalog", "OptBenchCore", "TestSupport"],
                    swiftSettings: glue),
    ]
)
