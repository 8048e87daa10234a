import Testing
import Foundation
import Optimizers
import TestSupport

@Test(arguments: ["bb1", "bb2"])
func bbFirstStepIsGradientDescent(formula: String) throws {
    let bb = iterates(try rule("bb", "lr=0.1", "formula=\(formula)"), oracle: TestOracle.quadratic(diagonal: [1, 4]), start: [1, 1], steps: 1)
    let gd = iterates(try rule("gd", "lr=0.1"), oracle: TestOracle.quadratic(diagonal: [1, 4]), start: [1, 1], steps: 1)
    #expect(bb == gd)
}

@Test func bbSecondStepUsesTheQuotients() throws {
    // F = ½(w₁² + 4w₂²) from (1, 1), lr 0.1: w₁ = (0.9, 0.6), g₁ = (0.9, 2.4),
    // s = (−0.1, −0.4), y = (−0.1, −1.6): sᵀs = 0.17, sᵀy = 0.65, yᵀy = 2.57.
    for (formula, alpha) in [("bb1", 0.17 / 0.65), ("bb2", 0.65 / 2.57)] {
        let oracle = TestOracle.quadratic(diagonal: [1, 4])
        let path = iterates(try rule("bb", "lr=0.1", "formula=\(formula)"), oracle: oracle, start: [1, 1], steps: 2)
        #expect(isClose(path[2], [0.9 - alpha * 0.9, 0.6 - alpha * 2.4], rtol: 1e-14), "\(formula)")
        #expect(oracle.epochs == 2)
    }
}

@Test(arguments: ["bb1", "bb2"])
func bbConvergesOnAnIllConditionedQuadratic(formula: String) throws {
    let h = (0..<10).map { pow(10, Double($0) / 9 * 2) }  // κ = 100
    let oracle = TestOracle.quadratic(diagonal: h)
    let path = iterates(try rule("bb", "lr=0.01", "formula=\(formula)"), oracle: oracle, start: [Double](repeating: 1, count: 10), steps: 200)
    #expect(value(oracle, path.last!) < 1e-12 * value(oracle, path[0]))
}

@Test func nonmonotoneSearchNeverExceedsTheRecentMaximum() throws {
    let oracle = rosenbrock()
    let m = 5
    let path = iterates(try rule("bb", "lr=1e-3", "nonmonotone=\(m)"), oracle: oracle, start: [-1.5, 2], steps: 400)
    let f = path.map { value(oracle, $0) }
    for k in 1..<f.count {
        #expect(f[k] <= f[max(0, k - m)..<k].max()!, "iteration \(k)")
    }
    #expect(f.last! < 1e-10)
}

