import Core
import Optimizers
import TestSupport

/// Runs `steps` iterations of `rule` from `start`, returning w_0, w_1, …, w_steps.
func iterates(_ rule: any Optimizer, oracle: some GradientOracle, start: [Double], steps: Int, seed: UInt64 = 1) -> [[Double]] {
    func run<O: Optimizer>(_ rule: O) -> [[Double]] {
        var state = rule.makeState(dimension: start.count, sampleCount: oracle.sampleCount, seed: seed)
        var w = start
        var path = [w]
        for _ in 0..<steps {
            w.withUnsafeMutableBufferPointer { rule.step($0, state: &state, oracle: oracle) }
            path.append(w)
        }
        return path
    }
    return run(rule)
}

/// The registered rule `name` with `key=value` settings.
func rule(_ name: String, _ settings: String...) throws -> any Optimizer {
    try OptimizerRegistry.entry(named: name).make(settings)
}

/// F(w), for checking a path after the fact (charged to the oracle like any evaluation).
func value(_ oracle: some GradientOracle, _ w: [Double]) -> Double {
    w.withUnsafeBufferPointer { oracle.loss(at: $0) }
}

/// Rosenbrock's F(x, y) = (1 − x)² + 100(y − x²)², minimised at (1, 1) with F* = 0.
func rosenbrock() -> TestOracle {
    TestOracle(dimension: 2,
               loss: { w in (1 - w[0]) * (1 - w[0]) + 100 * (w[1] - w[0] * w[0]) * (w[1] - w[0] * w[0]) },
               gradient: { w in [-2 * (1 - w[0]) - 400 * w[0] * (w[1] - w[0] * w[0]), 200 * (w[1] - w[0] * w[0])] })
}
