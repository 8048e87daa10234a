import Testing
import OptBenchOptimizers
import TestSupport

/// GD with η = 1/L on a μ-strongly convex L-smooth quadratic: F(w_t) − F* ≤ (1 − 1/κ)^t (F(w_0) − F*).
@Test func gdContractsAtTheOneOverKappaRate() throws {
    let h = [1.0, 2, 5, 10], b = [1.0, -2, 3, 0.5]
    let f = TestObjective<Double>.quadratic(diagonal: h, linear: b)
    let fStar = -0.5 * zip(h, b).reduce(0) { $0 + $1.1 * $1.1 / $1.0 }
    let kappa = 10.0
    let path = iterates(try rule("gd", "lr=0.1"), oracle: oracle(f), start: [3, -1, 2, 4], steps: 60)
    let gap0 = value(f, path[0]) - fStar
    for (t, w) in path.enumerated() {
        let gap = value(f, w) - fStar
        #expect(gap <= (1 - 1 / kappa).power(t) * gap0 * (1 + 1e-12) + 1e-15, "t = \(t)")
    }
}

@Test func gdStepIsTheGradientStep() throws {
    let o = oracle(TestObjective<Double>.quadratic(diagonal: [2, 4], linear: [1, 0]))
    let path = iterates(try rule("gd", "lr=0.1"), oracle: o, start: [1, 1], steps: 1)
    // ∇F(1, 1) = (2·1 − 1, 4·1) = (1, 4).
    #expect(isClose(path[1], [0.9, 0.6], rtol: 1e-15))
    #expect(o.charges.full == 1 && o.charges.samples == 0 && o.charges.coordinates == 0)
}

@Test func gdInFloatTakesTheSameStep() throws {
    let o = oracle(TestObjective<Float>.quadratic(diagonal: [2, 4], linear: [1, 0]))
    let path = iterates(try configured("gd", ["lr=0.1"]).float32, oracle: o, start: [1, 1], steps: 1)
    #expect(isClose(path[1].map { Double($0) }, [0.9, 0.6], rtol: 1e-7))
}
