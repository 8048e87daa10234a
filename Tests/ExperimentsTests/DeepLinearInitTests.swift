import OptBenchCore
import OptBenchHarness
import OptBenchKernels
import OptBenchProblems
@testable import OptBenchExperiments
import Testing

@Suite struct DeepLinearInitTests {
    /// Depth 1 is linear least squares F(W) = ‖Y − WX‖²/(2N), whose gradient (WX − Y)Xᵀ/N is
    /// written here in naive loops: GD's epoch count must match, step for step.
    @Test func epochsMatchNaiveGradientDescentAtDepthOne() {
        let d = 3, n = 10
        let problem = DeepLinearNetwork.synthetic(widths: [d, d], samples: n, noise: 0, seed: 4, initialization: .gaussian)
        let lr = 0.3, eps = 1e-4
        let measured = DeepLinearInitExperiment.gradientDescent(problem, seed: 1, lr: lr, epsilon: eps, budget: 5000)
        var w = problem.initialPoint(seed: 1)
        func lossAndGradient() -> (Double, [Double]) {
            var g = [Double](repeating: 0, count: d * d), f = 0.0
            for i in 0..<n {
                for a in 0..<d {
                    var r = -problem.outputs[i, a]
                    for b in 0..<d { r += w[a * d + b] * problem.inputs[i, b] }
                    f += r * r / (2 * Double(n))
                    for b in 0..<d { g[a * d + b] += r * problem.inputs[i, b] / Double(n) }
                }
            }
            return (f, g)
        }
        let f0 = lossAndGradient().0
        var expected: Int?
        for k in 0...5000 {
            let (f, g) = lossAndGradient()
            if f <= eps * f0 { expected = k; break }
            for j in w.indices { w[j] -= lr * g[j] }
        }
        #expect(expected != nil)
        #expect(measured == expected)
    }

    @Test func divergenceIsNotReached() {
        let problem = DeepLinearNetwork.synthetic(widths: [4, 4, 4], samples: 16, noise: 0, seed: 0, initialization: .orthogonal)
        #expect(DeepLinearInitExperiment.gradientDescent(problem, seed: 0, lr: 50, epsilon: 1e-3, budget: 1000) == nil)
    }

    @Test func quickRunWritesItsKeysAndTwoVerdicts() throws {
        let outcome = try ExperimentEntry.deepLinearInit.run(ExperimentOptions(quick: true, settings: ["depths": "2,4"]))
        let items = checkList(outcome.result, "deep_linear_init", keys: ["depth", "init", "epochs"])
        #expect(items.count == 2 * 2)
        #expect(outcome.verdicts.count == 2)
        #expect(outcome.rows.count == items.count)
        #expect(outcome.figures.count == 1 && outcome.figures[0].svg.hasPrefix("<svg"))
    }

    @Test func sameResultWhateverTheJobs() throws {
        let settings = ["depths": "2,4", "budget": "300"]
        let one = try ExperimentEntry.deepLinearInit.run(ExperimentOptions(quick: true, settings: settings, jobs: 1))
        let three = try ExperimentEntry.deepLinearInit.run(ExperimentOptions(quick: true, settings: settings, jobs: 3))
        #expect(one.result == three.result)
    }

    @Test func badSettingsAreRefusedByName() {
        #expect(throws: ConfigurationError.self) { try ExperimentEntry.deepLinearInit.run(ExperimentOptions(quick: true, settings: ["depths": "2,x"])) }
        do {
            _ = try ExperimentEntry.deepLinearInit.run(ExperimentOptions(quick: true, settings: ["depht": "2"]))
            Issue.record("a misspelt key ran")
        } catch let e as ConfigurationError {
            #expect(e.message.contains("depht") && e.message.contains("depths"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
