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
