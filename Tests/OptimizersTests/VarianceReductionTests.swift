import Testing
import Core
import Optimizers
import TestSupport

/// fᵢ(w) = ½(w − cᵢ)² in one dimension, so ∇fᵢ(w) = w − cᵢ.
func scalarFiniteSum(_ c: [Double]) -> TestOracle {
    TestOracle(dimension: 1, sampleCount: c.count,
               loss: { w in c.reduce(0) { $0 + 0.5 * (w[0] - $1) * (w[0] - $1) } / Double(c.count) },
               gradient: { w in [w[0] - c.reduce(0, +) / Double(c.count)] },
               sampleGradient: { i, w in [w[0] - c[i]] })
}

@Test func sagaFirstStepsFollowThePublishedRule() throws {
    let c = [1.0, 3, -2]
    let oracle = scalarFiniteSum(c)
    let path = iterates(try rule("saga", "lr=0.5"), oracle: oracle, start: [0], steps: 6)
    // Replay: w ← w − η(∇f_j(w) − T_j + mean T), T_j ← ∇f_j(w), from a zero table.
    var w = 0.0, table = [0.0, 0, 0]
    for (t, batch) in oracle.batches.enumerated() {
        let j = batch[0], g = w - c[j]
        w -= 0.5 * (g - table[j] + table.reduce(0, +) / 3)
        table[j] = g
        #expect(isClose(path[t + 1][0], w, rtol: 1e-14), "step \(t + 1)")
    }
    #expect(oracle.batches.count == 6)
    // The first step sees an empty table: it is an SGD step w₁ = w₀ − η(w₀ − c_j) = c_j/2.
    #expect(path[1][0] == 0.5 * c[oracle.batches[0][0]])
}

@Test func svrgFirstStepsFollowThePublishedRule() throws {
    let c = [1.0, 3, -2]
    let oracle = scalarFiniteSum(c)
    let path = iterates(try rule("svrg", "lr=0.5", "inner_steps=2"), oracle: oracle, start: [4], steps: 4)
    // Snapshots at steps 1 and 3; batches come in pairs (∇f_j(w), ∇f_j(w̃)).
    var w = 4.0, anchor = 0.0, mu = 0.0
    for t in 0..<4 {
        if t % 2 == 0 { anchor = w; mu = w - c.reduce(0, +) / 3 }
        let j = oracle.batches[2 * t][0]
        #expect(oracle.batches[2 * t + 1] == [j])
        w -= 0.5 * ((w - c[j]) - (anchor - c[j]) + mu)
        #expect(isClose(path[t + 1][0], w, rtol: 1e-14), "step \(t + 1)")
    }
    #expect(oracle.fullEvaluations == 2)
    // Two snapshots (1 epoch each) and 8 sample gradients (1/3 each).
    #expect(isClose(oracle.epochs, 2 + 8.0 / 3, rtol: 1e-12))
}

@Test(arguments: ["saga", "svrg"])
func singleSampleIsGradientDescent(name: String) throws {
    let h = [1.0, 4], b = [2.0, -1]
    let oracle = TestOracle(dimension: 2, sampleCount: 1,
                            loss: { w in 0.5 * (h[0] * w[0] * w[0] + h[1] * w[1] * w[1]) - b[0] * w[0] - b[1] * w[1] },
                            gradient: { w in [h[0] * w[0] - b[0], h[1] * w[1] - b[1]] },
                            sampleGradient: { _, w in [h[0] * w[0] - b[0], h[1] * w[1] - b[1]] })
    let vr = iterates(try rule(name, "lr=0.2"), oracle: oracle, start: [1, 1], steps: 12)
    let gd = iterates(try rule("gd", "lr=0.2"), oracle: TestOracle.quadratic(diagonal: h, linear: b), start: [1, 1], steps: 12)
    for (a, g) in zip(vr, gd) { #expect(isClose(a, g, rtol: 1e-12, atol: 1e-14)) }
}

/// Both paths of each method, same seed: the linear-sample path must reproduce the generic one.
@Test(arguments: [("saga", ["lr=0.02"], 0.0), ("saga", ["lr=0.02", "table_init=full"], 0.0),
                  ("svrg", ["lr=0.02"], 0.1), ("svrg", ["lr=0.02", "snapshot=random", "inner_steps=15"], 0.1)])
func linearSamplePathAgreesWithGenericPath(name: String, settings: [String], lambda: Double) throws {
    let opt = try OptimizerRegistry.entry(named: name).make(settings)
    let fast = LinearModelOracle.random(n: 20, d: 13, l2Penalty: lambda, linear: true)
    let slow = LinearModelOracle.random(n: 20, d: 13, l2Penalty: lambda, linear: false)
    let start = (0..<13).map { Double($0) / 10 - 0.5 }
    let a = iterates(opt, oracle: fast, start: start, steps: 300, seed: 9)
    let b = iterates(opt, oracle: slow, start: start, steps: 300, seed: 9)
    for (t, (x, y)) in zip(a, b).enumerated() {
        #expect(isClose(x, y, rtol: 1e-12, atol: 1e-12), "step \(t)")
    }
    #expect(fast.sampleGradientCalls == 0 && slow.sampleDerivativeCalls == 0)
    #expect(isClose(fast.epochs, slow.epochs, rtol: 1e-12))
}

@Test func sagaFullTableInitCostsOneEpoch() throws {
    let oracle = LinearModelOracle.random(n: 10, d: 3)
    _ = iterates(try rule("saga", "table_init=full"), oracle: oracle, start: [0, 0, 0], steps: 5)
    #expect(isClose(oracle.epochs, 1 + 5.0 / 10, rtol: 1e-12))
}

/// F(w_t) − F* after each epoch of `name` on a strongly convex ridge least-squares sum.
func suboptimality(_ name: String, _ settings: [String], epochs: Int) throws -> [Double] {
    let oracle = LinearModelOracle.random(n: 200, d: 10, l2Penalty: 0.01, seed: 3)
    let fStar = oracle.minimizer().withUnsafeBufferPointer { oracle.uncharged($0) }
    let opt = try OptimizerRegistry.entry(named: name).make(settings)
    func run<O: Optimizer>(_ rule: O) -> [Double] {
        var state = rule.makeState(dimension: 10, sampleCount: 200, seed: 5)
        var w = [Double](repeating: 0, count: 10)
        var gaps = [w.withUnsafeBufferPointer { oracle.uncharged($0) } - fStar]
        while oracle.epochs < Double(epochs) {
            w.withUnsafeMutableBufferPointer { rule.step($0, state: &state, oracle: oracle) }
            if oracle.epochs >= Double(gaps.count) { gaps.append(w.withUnsafeBufferPointer { oracle.uncharged($0) } - fStar) }
        }
        return gaps
    }
    return run(opt)
}

/// log(F − F*) falls at least linearly in epochs: below 1e-10 (relative) within a fixed budget,
/// and by a constant factor over every window of `window` epochs until it reaches round-off.
@Test(arguments: [("saga", ["lr=0.015"]), ("svrg", ["lr=0.005"]), ("svrg", ["lr=0.01", "snapshot=random"])])
func varianceReductionConvergesLinearly(name: String, settings: [String]) throws {
    let gaps = try suboptimality(name, settings, epochs: 60)
    let window = 10
    for t in stride(from: 0, to: gaps.count - window, by: window) where gaps[t] > 1e-12 * gaps[0] {
        #expect(gaps[t + window] <= 0.1 * gaps[t], "epochs \(t)…\(t + window): \(gaps[t]) → \(gaps[t + window])")
    }
    #expect(gaps.last! <= 1e-10 * gaps[0], "\(gaps)")
}
