import Testing
import OptBenchCore
import OptBenchOptimizers
import TestSupport

@Test func sagaFirstStepsFollowThePublishedRule() throws {
    let c = [1.0, 3, -2]
    let f = TestObjective<Double>.scalarFiniteSum(c)
    let path = iterates(try rule("saga", "lr=0.5"), oracle: oracle(f), start: [0], steps: 6)
    // Replay: w ← w − η(∇f_j(w) − T_j + mean T), T_j ← ∇f_j(w), from a zero table.
    var w = 0.0, table = [0.0, 0, 0]
    try #require(f.batches.count == 6)
    for (t, batch) in f.batches.enumerated() {
        let j = batch[0], g = w - c[j]
        w -= 0.5 * (g - table[j] + table.reduce(0, +) / 3)
        table[j] = g
        #expect(isClose(path[t + 1][0], w, rtol: 1e-14), "step \(t + 1)")
    }
    // The first step sees an empty table: it is an SGD step w₁ = w₀ − η(w₀ − c_j) = c_j/2.
    #expect(path[1][0] == 0.5 * c[f.batches[0][0]])
}

@Test func svrgFirstStepsFollowThePublishedRule() throws {
    let c = [1.0, 3, -2]
    let f = TestObjective<Double>.scalarFiniteSum(c)
    let o = oracle(f)
    let path = iterates(try rule("svrg", "lr=0.5", "inner_steps=2"), oracle: o, start: [4], steps: 4)
    // Snapshots at steps 1 and 3; batches come in pairs (∇f_j(w), ∇f_j(w̃)).
    var w = 4.0, anchor = 0.0, mu = 0.0
    try #require(f.batches.count == 8)
    for t in 0..<4 {
        if t % 2 == 0 { anchor = w; mu = w - c.reduce(0, +) / 3 }
        let j = f.batches[2 * t][0]
        #expect(f.batches[2 * t + 1] == [j])
        w -= 0.5 * ((w - c[j]) - (anchor - c[j]) + mu)
        #expect(isClose(path[t + 1][0], w, rtol: 1e-14), "step \(t + 1)")
    }
    // Two snapshots (1 epoch each) and 8 sample gradients (1/3 each).
    #expect(o.charges.full == 2 && o.charges.samples == 8)
}

@Test(arguments: ["saga", "svrg"])
func singleSampleIsGradientDescent(name: String) throws {
    let h = [1.0, 4], b = [2.0, -1]
    let f = TestObjective<Double>.quadratic(diagonal: h, linear: b)
    let vr = iterates(try rule(name, "lr=0.2"), oracle: oracle(f), start: [1, 1], steps: 12)
    let gd = iterates(try rule("gd", "lr=0.2"), oracle: oracle(f), start: [1, 1], steps: 12)
    for (a, g) in zip(vr, gd) { #expect(isClose(a, g, rtol: 1e-12, atol: 1e-14)) }
}

/// Both paths of each method, same seed: the linear-model path must reproduce the generic one.
@Test(arguments: [("saga", ["lr=0.02"], 0.0), ("saga", ["lr=0.02", "table_init=full"], 0.0),
                  ("svrg", ["lr=0.02"], 0.1), ("svrg", ["lr=0.02", "snapshot=random", "inner_steps=15"], 0.1)])
func linearModelPathAgreesWithGenericPath(name: String, settings: [String], lambda: Double) throws {
    let opt = try configured(name, settings).float64
    let fast = TestLeastSquares<Double>.random(n: 20, d: 13, l2Penalty: lambda, linear: true)
    let slow = TestLeastSquares<Double>.random(n: 20, d: 13, l2Penalty: lambda, linear: false)
    let fastOracle = oracle(fast), slowOracle = oracle(slow)
    let start = (0..<13).map { Double($0) / 10 - 0.5 }
    let a = iterates(opt, oracle: fastOracle, start: start, steps: 300, seed: 9)
    let b = iterates(opt, oracle: slowOracle, start: start, steps: 300, seed: 9)
    for (t, (x, y)) in zip(a, b).enumerated() {
        #expect(isClose(x, y, rtol: 1e-12, atol: 1e-12), "step \(t)")
    }
    #expect(fast.sampleGradientCalls == 0 && slow.derivativeCalls == 0 && fast.derivativeCalls > 0)
    #expect(fastOracle.charges == slowOracle.charges)
}

@Test func sagaFullTableInitCostsOneEpoch() throws {
    let o = oracle(TestLeastSquares<Double>.random(n: 10, d: 3))
    _ = iterates(try rule("saga", "table_init=full"), oracle: o, start: [0, 0, 0], steps: 5)
    #expect(o.charges.samples == 10 + 5 && o.charges.full == 0)
}

/// n SAGA steps are exactly one epoch, on both paths, in the oracle's integer counts.
@Test(arguments: [true, false])
func nSagaStepsChargeExactlyOneEpoch(linear: Bool) throws {
    let n = 7
    let o = oracle(TestLeastSquares<Double>.random(n: n, d: 3, linear: linear))
    _ = iterates(try rule("saga", "lr=0.01"), oracle: o, start: [0, 0, 0], steps: n)
    #expect(o.charges.samples == n && o.charges.full == 0 && o.charges.coordinates == 0)
    #expect(o.charges.reached(1, sampleCount: n, dimension: 3))
    #expect(!o.charges.reached(2, sampleCount: n, dimension: 3))
    #expect(o.epochs == 1)
}

/// F(w_t) − F* after each epoch of `name` on a strongly convex ridge least-squares sum.
func suboptimality(_ name: String, _ settings: [String], epochs: Int) throws -> [Double] {
    let f = TestLeastSquares<Double>.random(n: 200, d: 10, l2Penalty: 0.01, seed: 3)
    let o = oracle(f)
    let fStar = f.optimalValue()
    let run = try configured(name, settings).float64.start(on: o, seed: 5)
    var w = [Double](repeating: 0, count: 10)
    var gaps = [value(f, w) - fStar]
    while !o.charges.reached(epochs, sampleCount: 200, dimension: 10) {
        w.withUnsafeMutableBufferPointer { run.step($0) }
        if o.charges.reached(gaps.count, sampleCount: 200, dimension: 10) { gaps.append(value(f, w) - fStar) }
    }
    return gaps
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
