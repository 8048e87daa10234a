import OptBenchCore
import Testing
import TestSupport

@testable import OptBenchProblems

/// Gradient of every foundation problem against central differences of its own loss, and its
/// coordinate partials against the same differences.
@Suite struct FoundationProblemGradients {
    static let cases: [(String, [String])] = [
        ("rosenbrock", []), ("rosenbrock", ["a=2", "b=10"]), ("w7", []), ("w7", ["p=3", "x0=1.3"]),
        ("least-squares", ["n=40", "d=7", "kappa=30"]), ("least-squares", ["n=9", "d=9", "noise=0.5", "spectrum=spiked", "spikes=2"]),
    ]

    @Test(arguments: cases.indices)
    func fullGradientMatchesFiniteDifferences(_ k: Int) throws {
        let (name, settings) = Self.cases[k]
        let problem = try float64(name, settings), objective = problem.makeObjective()
        for seed: UInt64 in [1, 2] {
            let w = problem.initialPoint(seed: seed).map { $0 + 0.1 * Double(seed) }
            let (f, g) = objective.lossAndGradient(w)
            #expect(isClose(f, objective.loss(w), rtol: 1e-14))
            let fd = finiteDifferenceGradient({ objective.loss($0) }, at: w)
            let worst = worstMismatch(g, fd, rtol: 1e-6, atol: 1e-7 * max(1, g.map(abs).max()!))
            #expect(worst.ratio <= 1, "\(problem.label): component \(worst.index): \(g[max(0, worst.index)]) vs \(fd[max(0, worst.index)])")
        }
    }

    @Test(arguments: cases.indices)
    func coordinatePartialIsTheGradientComponent(_ k: Int) throws {
        let (name, settings) = Self.cases[k]
        let problem = try float64(name, settings), objective = problem.makeObjective()
        let view = try #require(objective.coordinates())
        let w = problem.initialPoint(seed: 3).map { $0 - 0.05 }
        let fd = finiteDifferenceGradient({ objective.loss($0) }, at: w)
        for j in 0..<problem.dimension {
            #expect(isClose(view.partial(w, j), fd[j], rtol: 1e-6, atol: 1e-7 * max(1, fd.map(abs).max()!)))
        }
    }
}

@Suite struct ToyFunctionTests {
    @Test func rosenbrockClosedForms() {
        let r = Rosenbrock()
        #expect(r.loss([1, 1]) == 0)
        #expect(isClose(r.loss([-1.2, 1]), 24.2, rtol: 1e-15))
        #expect(r.lossAndGradient([1, 1]).1 == [0, 0])
        // ∇F(−1.2, 1) = (−2·2.2 − 4·100·(−1.2)·(−0.44), 2·100·(−0.44)).
        let g = r.lossAndGradient([-1.2, 1]).1
        #expect(isClose(g[0], -215.6, rtol: 1e-13) && isClose(g[1], -88, rtol: 1e-13))
        #expect(r.theory.optimalValue == 0 && r.initialPoint(seed: 4) == [-1.2, 1])
    }

    @Test func w7HasTheSurveyShape() {
        let t = W7()
        #expect(t.loss([1]) == 0)
        #expect(t.loss([0]) == 1)
        // F′(w) = 14w⁶(w⁷ − 1): tiny near 0 (vanishing), huge past 1 (exploding).
        #expect(abs(t.lossAndGradient([0.1]).1[0]) < 1e-4)
        #expect(isClose(t.lossAndGradient([2]).1[0], 14 * 64 * 127, rtol: 1e-15))
        #expect(t.theory.optimalValue == 0 && t.initialPoint(seed: 2) == [0.5])
    }

    @Test func productReportsItsDepthAndCurvature() throws {
        let p = try float64("product", ["depth=5"])
        #expect(property(p.properties, "depth") == 5 && property(p.properties, "hessian_lambda_max_at_balanced_minimum") == 5)
        #expect(p.theory.optimalValue == 0 && p.initialPoint(seed: 0) == [Double](repeating: 0.9, count: 5))
    }

    @Test func rejectsWrongStartLength() {
        #expect(configurationMessage { _ = try instance("rosenbrock", ["x0=1,2,3"]) }
            == "problem 'rosenbrock': x0 has 3 entries; expected 2 (or init=zeros|gaussian)")
        #expect(configurationMessage { _ = try instance("w7", ["x0=1,2"]) }
            == "problem 'w7': x0 has 2 entries; expected 1 (or init=zeros|gaussian|vanishing|basin|exploding)")
    }

    @Test func spreadPerturbsTheStartBySeed() throws {
        let p = try float64("rosenbrock", ["spread=0.1"])
        let a = p.initialPoint(seed: 1), b = p.initialPoint(seed: 2)
        #expect(a != b && a != [-1.2, 1] && p.initialPoint(seed: 1) == a)
        #expect(abs(a[0] + 1.2) < 0.5 && abs(a[1] - 1) < 0.5)
    }
}
