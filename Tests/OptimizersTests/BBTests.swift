import Testing
import OptBenchCore
import OptBenchKernels
import OptBenchOptimizers
import TestSupport

@Test(arguments: ["bb1", "bb2"])
func bbFirstStepIsGradientDescent(formula: String) throws {
    let f = TestObjective<Double>.quadratic(diagonal: [1, 4])
    let bb = iterates(try rule("bb", "lr=0.1", "formula=\(formula)"), oracle: oracle(f), start: [1, 1], steps: 1)
    let gd = iterates(try rule("gd", "lr=0.1"), oracle: oracle(f), start: [1, 1], steps: 1)
    #expect(bb == gd)
}

@Test func bbSecondStepUsesTheQuotients() throws {
    // F = ½(w₁² + 4w₂²) from (1, 1), lr 0.1: w₁ = (0.9, 0.6), g₁ = (0.9, 2.4),
    // s = (−0.1, −0.4), y = (−0.1, −1.6): sᵀs = 0.17, sᵀy = 0.65, yᵀy = 2.57.
    for (formula, alpha) in [("bb1", 0.17 / 0.65), ("bb2", 0.65 / 2.57)] {
        let o = oracle(TestObjective<Double>.quadratic(diagonal: [1, 4]))
        let path = iterates(try rule("bb", "lr=0.1", "formula=\(formula)"), oracle: o, start: [1, 1], steps: 2)
        #expect(isClose(path[2], [0.9 - alpha * 0.9, 0.6 - alpha * 2.4], rtol: 1e-14), "\(formula)")
        #expect(o.charges.full == 2)
    }
}

@Test(arguments: ["bb1", "bb2"])
func bbConvergesOnAnIllConditionedQuadratic(formula: String) throws {
    let h = (0..<10).map { Math.pow(10, Double($0) / 9 * 2) }  // κ = 100
    let f = TestObjective<Double>.quadratic(diagonal: h)
    let path = iterates(try rule("bb", "lr=0.01", "formula=\(formula)"), oracle: oracle(f), start: [Double](repeating: 1, count: 10), steps: 200)
    #expect(value(f, path.last!) < 1e-12 * value(f, path[0]))
}

@Test func nonmonotoneSearchNeverExceedsTheRecentMaximum() throws {
    let f = TestObjective<Double>.rosenbrock()
    let m = 5
    let path = iterates(try rule("bb", "lr=1e-3", "nonmonotone=\(m)"), oracle: oracle(f), start: [-1.5, 2], steps: 400)
    let values = path.map { value(f, $0) }
    for k in 1..<values.count {
        #expect(values[k] <= values[max(0, k - m)..<k].max()!, "iteration \(k)")
    }
    #expect(values.last! < 1e-10)
}

@Test func stepClampsMustBeOrdered() {
    #expect(throws: ConfigurationError.self) { try rule("bb", "step_min=1", "step_max=0.5") }
}
