import OptBenchCatalog
import OptBenchCore
import OptBenchKernels
import OptBenchOptimizers
import OptBenchProblems
import OptBenchConformance
import OptBenchHarness
import Testing

/// The conformance kit over every entry of the standard catalog: the battery a plugin's own
/// entries pass in its package (Examples/PluginTemplate), run here on the built-ins.
@Suite struct ConformanceTests {
    /// Settings under which a rule moves in a few steps where its defaults do not matter, and
    /// where a rule runs when least squares lacks what it needs.
    static func host(_ name: String) -> (name: String, settings: [String])? {
        name == "kfac" ? ("mlp", ["samples=64", "test_samples=0", "width=8", "depth=1"]) : nil
    }

    @Test(arguments: Catalog.standard.optimizers.map(\.name))
    func optimizerPassesTheKit(_ name: String) throws {
        let report = Conformance.check(optimizer: try Catalog.standard.optimizer(named: name), in: .standard, problem: Self.host(name))
        #expect(report.failures.isEmpty, "\(report)")
        #expect(report.passed.count >= 5, "\(report)")
    }

    /// Small instances: finite differences over every coordinate stay cheap; smooth activations
    /// keep the networks differentiable where the differences probe.
    static let problemSettings: [String: [String]] = [
        "least-squares": ["n=40", "d=6", "kappa=10", "noise=0.1"],
        "logistic": ["n=60", "d=5"],
        "matrix-factorization": ["m=8", "n=6", "rank=2", "rank_true=2", "noise=0.1"],
        "deep-linear": ["samples=20", "input=4", "output=3", "width=4", "depth=3", "noise=0.1"],
        "mlp": ["samples=40", "test_samples=0", "width=8", "depth=1", "activation=tanh"],
        "resnet": ["form=fully-connected", "width=8", "blocks=1", "samples=40", "test_samples=0", "activation=tanh"],
    ]

    @Test(arguments: Catalog.standard.problems.map(\.name))
    func problemPassesTheKit(_ name: String) throws {
        let report = Conformance.check(problem: try Catalog.standard.problem(named: name), in: .standard,
                                       settings: Self.problemSettings[name] ?? [])
        #expect(report.failures.isEmpty, "\(report)")
        #expect(report.passed.count >= 6, "\(report)")
    }

    /// The kit can fail: a rule that steps without evaluating anything, a declaration whose
    /// default is out of its own range, and a problem whose gradient is off by a factor.
    @Test func theKitCatchesAFreeStepABadDefaultAndAWrongGradient() throws {
        let lazy = Conformance.check(optimizer: .freeStep, in: Catalog.standard.adding(optimizers: [.freeStep]))
        #expect(lazy.failures.contains { $0.hasPrefix("honest charges") }, "\(lazy)")
        #expect(lazy.failures.contains { $0.hasPrefix("declarations") }, "\(lazy)")
        let catalog = Catalog.standard.adding(problems: [WrongGradient.entry])
        let wrong = Conformance.check(problem: WrongGradient.entry, in: catalog)
        #expect(wrong.failures.contains { $0.hasPrefix("finite-difference gradient") }, "\(wrong)")
    }
}

/// Moves w by −η·1 each step and evaluates nothing; its lr default (2) lies outside its range.
struct FreeStep<Scalar: KernelScalar>: Optimizer, ParameterSet {
    @HyperParameter("lr", range: 0...1, "step")
    var lr = 2.0
    init() {}
    var requirements: Requirements { Requirements() }
    func makeState(for oracle: GradientOracle<Scalar>, seed: UInt64) {}
    func step(_ w: UnsafeMutableBufferPointer<Scalar>, state: inout Void, oracle: GradientOracle<Scalar>) {
        for i in w.indices { w[i] -= Scalar(lr) }
    }
}

extension OptimizerEntry {
    static let freeStep = OptimizerEntry(name: "free-step", summary: "steps without evaluating", float: FreeStep<Float>.self,
                                         double: FreeStep<Double>.self, groupsRefused: "test")
}

/// F(w) = w²/2 with a gradient of 2w: wrong by a factor of 2.
final class WrongGradient: Problem {
    var label: String { "wrong-gradient" }
    var dimension: Int { 1 }
    var sampleCount: Int { 1 }
    var theory: TheoryConstants { TheoryConstants(sampleCount: 1, dimension: 1, optimalValue: 0) }
    func initialPoint(seed: UInt64) -> [Double] { [1.5] }
    func loss(at w: UnsafeBufferPointer<Double>) -> Double { w[0] * w[0] / 2 }
    func lossAndGradient(at w: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) -> Double {
        g[0] = 2 * w[0]
        return loss(at: w)
    }
    func sampleGradient(at w: UnsafeBufferPointer<Double>, samples: UnsafeBufferPointer<Int>, into g: UnsafeMutableBufferPointer<Double>) {
        _ = lossAndGradient(at: w, into: g)
    }

    struct Settings: ParameterSet { init() {} }
    static let entry = ProblemEntry(name: "wrong-gradient", summary: "a gradient off by 2", settings: Settings.self, deterministic: true) { _, _ in
        ProblemInstance(WrongGradient())
    }
}
