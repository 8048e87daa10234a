import Testing
import Optimizers
import TestSupport

@Test func rcdUpdatesOneCoordinateByTheGradientStep() throws {
    let h = [1.0, 4, 2], b = [1.0, 1, -1]
    let oracle = TestOracle.quadratic(diagonal: h, linear: b)
    let path = iterates(try rule("rcd", "lr=0.2"), oracle: oracle, start: [2, 2, 2], steps: 8)
    for t in 1..<path.count {
        let changed = (0..<3).filter { path[t][$0] != path[t - 1][$0] }
        try #require(changed.count == 1)
        let j = changed[0]
        #expect(isClose(path[t][j], path[t - 1][j] - 0.2 * (h[j] * path[t - 1][j] - b[j]), rtol: 1e-15))
    }
    #expect(isClose(oracle.epochs, 8.0 / 3, rtol: 1e-12))
}

@Test func rcdWithOneBlockIsGradientDescent() throws {
    let oracle = TestOracle.quadratic(diagonal: [1, 4, 2], linear: [1, 1, -1])
    let a = iterates(try rule("rcd", "lr=0.2", "block_size=3"), oracle: oracle, start: [1, 2, 3], steps: 10)
    let g = iterates(try rule("gd", "lr=0.2"), oracle: TestOracle.quadratic(diagonal: [1, 4, 2], linear: [1, 1, -1]),
                     start: [1, 2, 3], steps: 10)
    // GD goes through the SIMD axpy (fused multiply-add), R-CD through a scalar update: last-bit differences.
    for (x, y) in zip(a, g) { #expect(isClose(x, y, rtol: 1e-14, atol: 1e-15)) }
    #expect(isClose(oracle.epochs, 10, rtol: 1e-12))
}

@Test func rcdBlocksAreContiguousAndJacobi() throws {
    // d = 5, blocks {0,1}, {2,3}, {4}: each step changes exactly one of them by −η∇_b F(w).
    let h = [1.0, 2, 3, 4, 5]
    let oracle = TestOracle.quadratic(diagonal: h)
    let path = iterates(try rule("rcd", "lr=0.1", "block_size=2"), oracle: oracle, start: [1, 1, 1, 1, 1], steps: 12)
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
    let oracle = TestOracle.quadratic(diagonal: h, linear: b)
    let path = iterates(try rule("rcd", "lr=1", "sampling=lipschitz"), oracle: oracle, start: [0, 0, 0], steps: 1)
    let j = (0..<3).first { path[1][$0] != 0 }!
    #expect(isClose(path[1][j], b[j] / h[j], rtol: 1e-15))
}

@Test func lipschitzSamplingDrawsCoordinatesInProportionToL() throws {
    // p = (1, 3)/4: count which coordinate each step moves on F = ½(w₁² + 3w₂²) with a tiny step.
    let oracle = TestOracle.quadratic(diagonal: [1, 3])
    let path = iterates(try rule("rcd", "lr=1e-6", "sampling=lipschitz"), oracle: oracle, start: [1, 1], steps: 4000)
    let second = (1..<path.count).filter { path[$0][1] != path[$0 - 1][1] }.count
    #expect(abs(Double(second) / 4000 - 0.75) < 0.03)
}

@Test func lipschitzRcdConvergesOnLeastSquares() throws {
    let oracle = LinearModelOracle.random(n: 100, d: 8, l2Penalty: 0.01)
    let fStar = oracle.minimizer().withUnsafeBufferPointer { oracle.uncharged($0) }
    let path = iterates(try rule("rcd", "lr=1", "sampling=lipschitz"), oracle: oracle, start: [Double](repeating: 0, count: 8), steps: 8 * 60)
    let gap0 = path[0].withUnsafeBufferPointer { oracle.uncharged($0) } - fStar
    let gap = path.last!.withUnsafeBufferPointer { oracle.uncharged($0) } - fStar
    #expect(gap < 1e-8 * gap0)
}
