import Foundation
import OptBenchOptimizers
import Testing
@testable import OptBenchExperiments

@Suite struct AdamCounterexampleTests {
    /// Reddi et al.'s projected Adam/AMSGrad written out (torch's bias corrections, β₁ = 0, so
    /// m_t = g_t): v_t = β₂v_{t−1} + (1 − β₂)g_t², v̂_t = max(v̂_{t−1}, v_t) for AMSGrad,
    /// x ← Π_[−1,1](x − (0.1/√t)·g_t/(√v̂_t/√(1 − β₂ᵗ) + ε)); returns x_T and R_T/T.
    static func direct(amsgrad: Bool, c: Double, steps: Int) -> (x: Double, regret: Double) {
        let b2 = 1 / (1 + c * c)
        var x = 1.0, v = 0.0, vMax = 0.0, incurred = 0.0, best = 0.0
        for t in 1...steps {
            let g = t % 3 == 1 ? c : -1
            incurred += g * x
            best += g
            v = b2 * v + (1 - b2) * g * g
            vMax = max(vMax, v)
            let denominator = (amsgrad ? vMax : v).squareRoot() / (1 - pow(b2, Double(t))).squareRoot() + 1e-8
            x = min(1, max(-1, x - 0.1 / Double(t).squareRoot() * g / denominator))
        }
        return (x, (incurred + abs(best)) / Double(steps))
    }

    @Test(arguments: [false, true])
    func catalogRuleMatchesTheDirectRecursion(amsgrad: Bool) throws {
        let steps = 3000
        let run = try AdamCounterexample.run(amsgrad ? OptimizerEntry.amsgrad : .adam, c: 3, steps: steps, checkpoints: [steps])
        let reference = Self.direct(amsgrad: amsgrad, c: 3, steps: steps)
        #expect(abs(run.finalX - reference.x) < 1e-9)
        #expect(abs(run.averageRegret - reference.regret) < 1e-9)
        #expect(run.curve.count == 1 && abs(run.curve[0].averageRegret - reference.regret) < 1e-9)
    }
}
