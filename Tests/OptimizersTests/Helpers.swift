import OptBenchCatalog
import OptBenchHarness
import OptBenchCore
import OptBenchKernels
import OptBenchOptimizers
import TestSupport

/// Runs `steps` iterations of `optimizer` from `start` through the erased form the harness
/// uses, returning w_0, w_1, …, w_steps.
func iterates<S: KernelScalar>(_ optimizer: AnyOptimizer<S>, oracle: GradientOracle<S>, start: [S], steps: Int, seed: UInt64 = 1) -> [[S]] {
    let run = optimizer.start(on: oracle, seed: seed)
    var w = start
    var path = [w]
    for _ in 0..<steps {
        w.withUnsafeMutableBufferPointer { run.step($0) }
        path.append(w)
    }
    return path
}

/// The registered rule `name` with `key=value` settings, in both precisions.
func configured(_ name: String, _ settings: [String], groups: [ParameterGroup] = []) throws -> ConfiguredOptimizer {
    try Catalog.standard.optimizer(named: name).make(settings, groups: groups)
}

/// The registered rule `name` with `key=value` settings, in float64.
func rule(_ name: String, _ settings: String...) throws -> AnyOptimizer<Double> {
    try configured(name, settings).float64
}

/// The charging oracle the harness would build for `objective`.
func oracle<O: Objective>(_ objective: O) -> GradientOracle<O.Scalar> { GradientOracle(objective: objective) }

/// F(w), uncharged.
func value<O: Objective>(_ objective: O, _ w: [O.Scalar]) -> Double { objective.loss(w) }

extension Double {
    func power(_ k: Int) -> Double { (0..<k).reduce(1.0) { r, _ in r * self } }
}

/// The registered rules whose defaults run on the test least squares: all but those needing a
/// view it lacks (K-FAC's layer view; `KFACTests` covers it on networks).
let leastSquaresRules: [String] = {
    let offered = GradientOracle(objective: TestLeastSquares<Double>.random(n: 2, d: 1)).capabilities
    return Catalog.standard.optimizers.filter { entry in
        (try? entry.make().requirements.incompatibility(optimizer: entry.name, problem: "least squares", offered: offered)) == .some(nil)
    }.map(\.name)
}()
