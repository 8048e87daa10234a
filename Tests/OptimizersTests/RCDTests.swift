import Testing
import OptBenchCore
import OptBenchOptimizers
import TestSupport

@Test func rcdUpdatesOneCoordinateByTheGradientStep() throws {
    let h = [1.0, 4, 2], b = [1.0, 1, -1]
    let o = oracle(TestObjective<Double>.quadratic(diagonal: h, linear: b))
    let path = iterates(try rule("rcd", "lr=0.2"), oracle: o, start: [2, 2, 2], steps: 8)
    for t in 1..<path.count {
        let changed = (0..<3).filter { path[t][$0] != path[t - 1][$0] }
        try #require(changed.count == 1)
        let j = changed[0]
        #expect(isClose(path[t][j], path[t - 1][j] - 0.2 * (h[j] * path[t - 1][j] - b[j]), rtol: 1e-15))
    }
    #expect(o.charges.coordinates == 8 && o.charges.full == 0 && o.charges.samples == 0)
}

@Test func rcdWithOneBlockIsGradientDescent() throws {
    let f = TestObjective<Double>.quadratic(diagonal: [1, 4, 2], linear: [1, 1, -1])
    let o = oracle(f)
    let a = iterates(try rule("rcd", "lr=0.2", "block_size=3"), oracle: o, start: [1, 2, 3], steps: 10)
    let g = iterates(try rule("gd", "lr=0.2"), oracle: oracle(f), start: [1, 2, 3], steps: 10)
    // GD goes through the SIMD axpy (fused multiply-add), R-CD through a scalar update: last-bit differences.
    for (x, y) in zip(a, g) { #expect(isClose(x, y, rtol: 1e-14, atol: 1e-15)) }
    #expect(o.charges.coordinates == 30)
    #expect(o.epochs == 10)
}

@Test func rcdBlocksAreContiguousAndJacobi() throws {
    // d = 5, blocks {0,1}, {2,3}, {4}: each step changes exactly one of them by −η∇_b F(w).
    let h = [1.0, 2, 3, 4, 5]
    let path = iterates(try rule("rcd", "lr=0.1", "block_size=2"), oracle: oracle(TestObjective<Double>.quadratic(diagonal: h)),
                        start: [1, 1, 1, 1, 1], steps: 12)
    let blocks = [[0, 1], [2, 3], [4]]
    for t in 1..<path.count {
        let changed = (0..<5).filter { path[t][$0] != path[t - 1][$0] }
        #expect(blocks.contains(changed))
        for j in changed { #expect(isClose(path[t][j], path[t - 1][j] * (1 - 0.1 * h[j]), rtol: 1e-15)) }
    }
}

@Test func lipschitzSamplingTakesTheExactCoordinateMinimisingStep() throws {
    // On a diagonal quadratic the step 1/L_j = 1/h_j lands coordinate j on b_j/h_j.
    let h = [1.0, 4, 2], b = [1.0, 1, -1]
    let path = iterates(try rule("rcd", "lr=1", "sampling=lipschitz"), oracle: oracle(TestObjective<Double>.quadratic(diagonal: h, linear: b)),
                        start: [0, 0, 0], steps: 1)
    let j = try #require((0..<3).first { path[1][$0] != 0 })
    #expect(isClose(path[1][j], b[j] / h[j], rtol: 1e-15))
}

@Test func lipschitzSamplingDrawsCoordinatesInProportionToL() throws {
    // p = (1, 3)/4: count which coordinate each step moves on F = ½(w₁² + 3w₂²) with a tiny step.
    let path = iterates(try rule("rcd", "lr=1e-6", "sampling=lipschitz"), oracle: oracle(TestObjective<Double>.quadratic(diagonal: [1, 3])),
                        start: [1, 1], steps: 4000)
    let second = (1..<path.count).filter { path[$0][1] != path[$0 - 1][1] }.count
    #expect(abs(Double(second) / 4000 - 0.75) < 0.03)
}

@Test func lipschitzRcdConvergesOnLeastSquares() throws {
    let f = TestLeastSquares<Double>.random(n: 100, d: 8, l2Penalty: 0.01)
    let fStar = f.optimalValue()
    let path = iterates(try rule("rcd", "lr=1", "sampling=lipschitz"), oracle: oracle(f), start: [Double](repeating: 0, count: 8), steps: 8 * 60)
    let gap0 = value(f, path[0]) - fStar
    let gap = value(f, path.last!) - fStar
    #expect(gap < 1e-8 * gap0)
}

/// A block with L_b = 0 has probability 0: it never moves, the others do, nothing is NaN.
@Test func zeroLipschitzBlockIsNeverDrawn() throws {
    // F = ½(w₁² + 2w₃²) − w₂·0: coordinate 2 has L = 0 (F is constant along it).
    let f = TestObjective<Double>.quadratic(diagonal: [1, 0, 2])
    let path = iterates(try rule("rcd", "lr=1", "sampling=lipschitz"), oracle: oracle(f), start: [1, 5, 1], steps: 200)
    #expect(path.allSatisfy { $0[1] == 5 })
    #expect(path.last![0] == 0 && path.last![2] == 0)
}

/// With every L_b = 0 no block can be drawn: the rule takes no step and charges nothing (the
/// harness sees a stalled run), rather than dividing by zero.
@Test func allZeroLipschitzConstantsStallWithoutCharging() throws {
    let o = oracle(TestObjective<Double>.quadratic(diagonal: [0, 0]))
    let path = iterates(try rule("rcd", "sampling=lipschitz"), oracle: o, start: [1, 2], steps: 3)
    #expect(path.allSatisfy { $0 == [1, 2] })
    #expect(o.charges == EpochCharges())
}

/// d coordinate steps are exactly one epoch, in the oracle's integer counts.
@Test(arguments: [1, 3])
func dCoordinateStepsChargeExactlyOneEpoch(blockSize: Int) throws {
    let d = 6
    let o = oracle(TestObjective<Double>.quadratic(diagonal: [1, 2, 3, 4, 5, 6]))
    _ = iterates(try rule("rcd", "block_size=\(blockSize)"), oracle: o, start: [Double](repeating: 1, count: d), steps: d / blockSize)
    #expect(o.charges.coordinates == d && o.charges.full == 0 && o.charges.samples == 0)
    #expect(o.charges.reached(1, sampleCount: 1, dimension: d))
    #expect(o.epochs == 1)
}
