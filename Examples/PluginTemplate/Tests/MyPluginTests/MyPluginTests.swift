import MyPlugin
import OptBenchCatalog
import OptBenchConformance
import OptBenchCore
import OptBenchHarness
import OptBenchOptimizers
import Testing

/// The battery every built-in passes: declarations, refusal of bad values (exit 2), same-seed
/// bits, jobs 1 = jobs 2, honest charges.
@Test func signDescentPassesTheConformanceKit() {
    let report = Conformance.check(optimizer: .signDescent, in: .withMyPlugin)
    #expect(report.failures.isEmpty, "\(report)")
}

/// Finite-difference gradients, sample gradients that average to ∇F, determinism.
@Test func pseudoHuberPassesTheConformanceKit() {
    let report = Conformance.check(problem: PseudoHuber.entry, in: .withMyPlugin, settings: ["n=30", "d=5"])
    #expect(report.failures.isEmpty, "\(report)")
}

/// Three steps of the registered entry against the recurrence written out by hand on
/// F(w) = ½‖w − c‖² (∇F = w − c).
@Test func signDescentFollowsItsRecurrence() throws {
    let c = [3.0, -2.0, 0.0]
    let objective = QuadraticBowl(center: c)
    let run = try OptimizerEntry.signDescent.make(["lr=0.5", "momentum=0.5"]).float64.start(on: GradientOracle(objective: objective), seed: 1)
    var w = [0.0, 0.0, 1.0], m = [0.0, 0.0, 0.0], expected = w
    for _ in 0..<3 {
        for i in 0..<3 {
            m[i] = 0.5 * m[i] + 0.5 * (expected[i] - c[i])
            expected[i] -= 0.5 * (m[i] > 0 ? 1 : m[i] < 0 ? -1 : 0)
        }
        w.withUnsafeMutableBufferPointer { run.step($0) }
        #expect(w == expected)
    }
}

/// F(w) = ½‖w − c‖².
final class QuadraticBowl: Objective {
    let center: [Double]
    init(center: [Double]) { self.center = center }
    var dimension: Int { center.count }
    var sampleCount: Int { 1 }
    func loss(at w: UnsafeBufferPointer<Double>) -> Double { zip(w, center).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) / 2 } }
    func lossAndGradient(at w: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) -> Double {
        for i in w.indices { g[i] = w[i] - center[i] }
        return loss(at: w)
    }
    func sampleGradient(at w: UnsafeBufferPointer<Double>, samples: UnsafeBufferPointer<Int>, into g: UnsafeMutableBufferPointer<Double>) {
        _ = lossAndGradient(at: w, into: g)
    }
}
