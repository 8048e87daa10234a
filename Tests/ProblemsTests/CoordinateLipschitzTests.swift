import Testing
import TestSupport
@testable import Problems

/// L_j against second differences of F along coordinate j: equal for least squares (F is
/// quadratic), an upper bound for logistic regression.
@Suite struct CoordinateLipschitzTests {
    func constants(_ p: any Problem) -> [Double] {
        var l = [Double](repeating: .nan, count: p.dimension)
        let known = l.withUnsafeMutableBufferPointer { p.coordinateLipschitzConstants(into: $0) }
        #expect(known)
        return l
    }

    func secondDifference(_ p: any Problem, at w: [Double], _ j: Int, h: Double = 1e-3) -> Double {
        var plus = w, minus = w
        plus[j] += h
        minus[j] -= h
        return (p.loss(plus) - 2 * p.loss(w) + p.loss(minus)) / (h * h)
    }

    @Test func leastSquaresConstantsAreTheHessianDiagonal() throws {
        let p = try LeastSquares.entry.make(["n=40", "d=6", "noise=0.2"])
        let l = constants(p)
        let w = p.initialPoint(seed: 2)
        for j in 0..<6 { #expect(isClose(l[j], secondDifference(p, at: w, j), rtol: 1e-5)) }
    }

    @Test func logisticConstantsBoundTheCurvature() throws {
        let p = try LogisticRegression.entry.make(["n=60", "d=5", "reference=false"])
        let l = constants(p)
        for seed: UInt64 in 1...4 {
            let w = p.initialPoint(seed: seed).map { 3 * $0 }
            for j in 0..<5 { #expect(secondDifference(p, at: w, j) <= l[j] * (1 + 1e-6)) }
        }
        // At w = 0 every σ(1 − σ) is exactly ¼, so the bound is attained.
        let zero = [Double](repeating: 0, count: 5)
        for j in 0..<5 { #expect(isClose(secondDifference(p, at: zero, j), l[j], rtol: 1e-5)) }
    }
}
