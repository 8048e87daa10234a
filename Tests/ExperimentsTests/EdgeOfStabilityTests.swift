import OptBenchCore
import OptBenchHarness
import OptBenchLinearAlgebra
import OptBenchProblems
@testable import OptBenchExperiments
import Testing

@Suite struct EdgeOfStabilityTests {
    /// Lanczos on finite-difference products against a dense eigen-solve of the Hessian of a
    /// tiny tanh MLP built column by column from finite differences of the loss itself
    /// (second differences of F, not of the gradient).
    @Test func lanczosMatchesDenseEigenvaluesOfATinyMLP() throws {
        let problem = NetworkTraining.float64(try MLP.entry.make([
            "dtype=float64", "data=teacher", "inputs=3", "teacher_width=4", "outputs=2", "samples=12", "test_samples=0",
            "width=3", "depth=1", "activation=tanh", "loss=squared-error",
        ]))
        let objective = problem.makeObjective()
        let w = problem.initialPoint(seed: 2)
        let d = w.count
        let h = 1e-4
        func f(_ shifts: [(Int, Double)]) -> Double {
            var x = w
            for (i, s) in shifts { x[i] += s }
            return objective.loss(x)
        }
        var hessian = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for j in i..<d {
                let value = (f([(i, h), (j, h)]) - f([(i, h), (j, -h)]) - f([(i, -h), (j, h)]) + f([(i, -h), (j, -h)])) / (4 * h * h)
                hessian[i * d + j] = value
                hessian[j * d + i] = value
            }
        }
        let dense = SymmetricEigen(symmetric: hessian, dimension: d).eigenvalues[0]
        let lanczos = HessianSharpness.largest(objective, at: w, steps: d)
        #expect(abs(lanczos - dense) <= 1e-4 * abs(dense), "Lanczos \(lanczos), dense \(dense)")
    }

    /// On a quadratic the central difference is exact: the product is Hv for the known H.
    @Test func productIsExactOnAQuadratic() throws {
        let problem = NetworkTraining.float64(try MLP.entry.make([
            "dtype=float64", "data=teacher", "inputs=3", "outputs=2", "samples=5", "test_samples=0", "depth=0", "loss=squared-error",
        ]))
        // Depth 0 is a linear model z = Wx + b with F = (1/n)Σ½‖z − y‖²: H acts on W row by row as (1/n)Σ x̃x̃ᵀ, x̃ = (x, 1).
        let objective = problem.makeObjective()
        let w = problem.initialPoint(seed: 0)
        let v = (0..<w.count).map { Double($0 % 5) - 2 }
        var out = [Double](repeating: 0, count: w.count)
        v.withUnsafeBufferPointer { vp in out.withUnsafeMutableBufferPointer { HessianSharpness.product(objective, at: w, vp.baseAddress!, into: $0.baseAddress!) } }
        let base = problem.base as! NetworkProblem<Double>
        let x = base.train.features, n = base.train.count, inputs = 3, outputs = 2
        let wBlock = problem.layout.blocks.first { $0.role == .weight }!, bBlock = problem.layout.blocks.first { $0.role == .bias }!
        for r in 0..<outputs {
            for c in 0...inputs {
                var expected = 0.0
                for i in 0..<n {
                    let xc = c < inputs ? x[i * inputs + c] : 1
                    var vx = v[bBlock.offset + r]
                    for k in 0..<inputs { vx += v[wBlock.offset + r * inputs + k] * x[i * inputs + k] }
                    expected += xc * vx / Double(n)
                }
                let got = c < inputs ? out[wBlock.offset + r * inputs + c] : out[bBlock.offset + r]
                #expect(abs(got - expected) <= 1e-7 * max(1, abs(expected)))
            }
        }
    }

    @Test func quickRunWritesItsKeysAndOneVerdictPerRate() throws {
        let options = ExperimentOptions(quick: true, settings: ["steps": "20", "every": "10", "samples": "32", "lanczos": "5"])
        let outcome = try ExperimentEntry.edgeOfStability.run(options)
        let items = checkList(outcome.result, "edge_of_stability", keys: ["lr", "step", "sharpness", "two_over_lr"])
        #expect(items.count == 2 * 3)
        #expect(outcome.verdicts.count == 2)
        for item in items { #expect(number(member(item, "two_over_lr"))! * number(member(item, "lr"))! == 2) }
    }
}
