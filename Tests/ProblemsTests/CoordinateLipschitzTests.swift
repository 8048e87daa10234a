import OptBenchCore
import Testing
import TestSupport

@testable import OptBenchProblems

/// L_j against second differences of F along coordinate j: equal for least squares (F is
/// quadratic), an upper bound for logistic regression.
@Suite struct CoordinateLipschitzTests {
    func constants(_ p: AnyProblem<Double>) throws -> [Double] {
        let l = try #require(p.makeObjective().coordinates()?.lipschitzConstants)
        #expect(l.count == p.dimension)
        return l
    }

    func secondDifference(_ p: AnyObjective<Double>, at w: [Double], _ j: Int, h: Double = 1e-3) -> Double {
        var plus = w, minus = w
        plus[j] += h
        minus[j] -= h
        return (p.loss(plus) - 2 * p.loss(w) + p.loss(minus)) / (h * h)
    }

    @Test func leastSquaresConstantsAreTheHessianDiagonal() throws {
        let p = try float64("least-squares", ["n=40", "d=6", "noise=0.2", "init=gaussian"])
        let l = try constants(p), f = p.makeObjective()
        let w = p.initialPoint(seed: 2)
        for j in 0..<6 { #expect(isClose(l[j], secondDifference(f, at: w, j), rtol: 1e-5)) }
    }

    @Test func logisticConstantsBoundTheCurvature() throws {
        let p = try float64("logistic", ["n=60", "d=5", "reference=false", "init=gaussian"])
        let l = try constants(p), f = p.makeObjective()
        for seed: UInt64 in 1...4 {
            let w = p.initialPoint(seed: seed).map { 3 * $0 }
            for j in 0..<5 { #expect(secondDifference(f, at: w, j) <= l[j] * (1 + 1e-6)) }
        }
        // At w = 0 every σ(1 − σ) is exactly ¼, so the bound is attained.
        let zero = [Double](repeating: 0, count: 5)
        for j in 0..<5 { #expect(isClose(secondDifference(f, at: zero, j), l[j], rtol: 1e-5)) }
    }

    @Test func toysKnowNoCoordinateConstants() throws {
        for name in ["rosenbrock", "w7"] {
            let view = try #require(try float64(name).makeObjective().coordinates(), "\(name)")
            #expect(view.lipschitzConstants == nil, "\(name)")
        }
    }
}
