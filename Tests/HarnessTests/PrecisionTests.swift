import OptBenchCatalog
import OptBenchCore
import OptBenchOptimizers
import OptBenchProblems
import Testing
import TestSupport
@testable import OptBenchHarness

/// The same rules on float32 and float64 buffers.
@Suite struct PrecisionTests {
    func problem(_ settings: [String]) throws -> ProblemInstance {
        try Catalog.standard.problem(named: "least-squares").make(settings)
    }

    /// GD at 1/L on float32 data reaches a relative suboptimality of 1e-5 (float32's ε is 1.2e-7,
    /// so the gap F − F* is resolvable there), about as fast as float64.
    @Test func float32GradientDescentReachesOneInAHundredThousand() throws {
        let settings = ["n=500", "d=30", "kappa=50", "noise=0.1"]
        let f32 = try problem(settings + ["dtype=float32"]), f64 = try problem(settings)
        #expect(f32.precision == .float32 && f64.precision == .float64)
        let lr = 1 / (try f64.theory.value(.smoothness, for: "test"))
        let gd = try Catalog.standard.optimizer(named: "gd").make(["lr=\(lr)"])
        let rule = StoppingRule(target: 1e-5, maxEpochs: 2000)
        let a = Runner.run(gd, on: f32, seed: 1, rule: rule), b = Runner.run(gd, on: f64, seed: 1, rule: rule)
        #expect(a.status == .reached, "float32 GD: \(a.status), final accuracy \(a.finalAccuracy ?? .nan)")
        #expect(b.status == .reached)
        // GD contracts the gap by (1 − 1/κ) per step in exact arithmetic: both need about the same number.
        #expect(abs(a.epochsToTarget! - b.epochsToTarget!) <= 2)
    }

    /// float32 iterates follow the float64 ones: the first epochs' losses agree to float32 rounding.
    @Test func float32TracksFloat64() throws {
        let settings = ["n=200", "d=10", "kappa=10", "init=gaussian"]
        let sgd = try Catalog.standard.optimizer(named: "sgd").make(["lr=0.05", "batch_size=4", "momentum=0.9"])
        let rule = StoppingRule(target: 0, maxEpochs: 5)
        let a = Runner.run(sgd, on: try problem(settings + ["dtype=float32"]), seed: 3, rule: rule)
        let b = Runner.run(sgd, on: try problem(settings), seed: 3, rule: rule)
        #expect(a.records.count == b.records.count)
        // Relative to the starting loss: late losses are far below float32's resolution of F₀.
        let scale = b.records[0].loss
        for (x, y) in zip(a.records, b.records) { #expect(abs(x.loss - y.loss) <= 1e-4 * max(abs(y.loss), 1e-2 * scale), "epoch \(x.epoch)") }
    }
}

/// Non-finite values never pass as success.
@Suite struct NonFiniteTests {
    func record(_ loss: Double, _ g: Double = 1) -> TraceRecord {
        TraceRecord(epoch: 0, loss: loss, suboptimality: nil, gradientNorm: g, seconds: 0, metrics: [])
    }

    @Test func accuracyKeepsNaNAndInfinity() {
        let a = Accuracy(f0: 2, g0: 1, fStar: 1)
        #expect(a(record(.nan)).isNaN)
        #expect(a(record(.infinity)) == .infinity)
        #expect(!(a(record(.nan)) <= 1e-6))
        #expect(a(record(1)) == 0 && a(record(0.5)) == 0 && a(record(1.5)) == 0.5)
        // A start at the optimum is done; an infinite loss against it is not.
        let atOptimum = Accuracy(f0: 1, g0: 0, fStar: 1)
        #expect(atOptimum(record(1)) == 0 && atOptimum(record(.infinity)) == .infinity)
        let noOptimum = Accuracy(f0: 2, g0: 4, fStar: nil)
        #expect(noOptimum(record(1, 1)) == 0.25 && noOptimum(record(1, .nan)).isNaN)
    }

    /// A diverged run has no accuracy (not 0), and its status says so.
    @Test func divergedRunHasNoAccuracy() throws {
        let problem = try Catalog.standard.problem(named: "least-squares").make(["n=40", "d=5"])
        let gd = try Catalog.standard.optimizer(named: "gd").make(["lr=1000"])
        let r = Runner.run(gd, on: problem, seed: 1, rule: StoppingRule(target: 1e-6, maxEpochs: 500))
        #expect(r.status == .diverged)
        #expect(r.finalAccuracy == nil)
    }
}
