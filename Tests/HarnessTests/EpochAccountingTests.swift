import OptBenchCatalog
import OptBenchCore
import Foundation
import OptBenchOptimizers
import OptBenchProblems
import Testing
import TestSupport
@testable import OptBenchHarness

/// One epoch = n sample-gradient evaluations (survey, Appendix C).
@Suite struct EpochAccountingTests {
    func leastSquares(n: Int = 40, d: Int = 5, _ extra: [String] = []) throws -> ProblemInstance {
        try Catalog.standard.problem(named: "least-squares").make(["n=\(n)", "d=\(d)", "init=gaussian"] + extra)
    }

    func double(_ instance: ProblemInstance) throws -> AnyProblem<Double> {
        guard case .float64(let p) = instance else { throw ConfigurationError("expected a float64 problem") }
        return p
    }

    @Test func oracleChargesEachEvaluationInEpochs() throws {
        let oracle = GradientOracle(try double(leastSquares()).makeObjective())
        var w = [Double](repeating: 0.1, count: 5), g = w
        w.withUnsafeBufferPointer { wp in
            g.withUnsafeMutableBufferPointer { gp in
                _ = oracle.lossAndGradient(at: wp, into: gp)  // 1
                _ = oracle.loss(at: wp)  // 1
                [1, 2, 3, 4].withUnsafeBufferPointer { oracle.sampleGradient(at: wp, samples: $0, into: gp) }  // 4/40
                _ = oracle.coordinates!.partial(wp, 2)  // 1/5
                _ = oracle.linearModel!.derivative(wp, 7)  // 1/40
            }
        }
        #expect(oracle.charges.full == 2 && oracle.charges.samples == 5 && oracle.charges.coordinates == 1)
        let expected: Double = 2 + 5.0 / 40 + 1.0 / 5
        #expect(isClose(oracle.epochs, expected, rtol: 1e-15))
        _ = w
    }

    /// Charges are integers: d coordinate partials are exactly one epoch however many times
    /// they are taken (1/d added as a real drifts: R-CD records used to land at 95.02).
    @Test func coordinateChargesAreExact() throws {
        let d = 7
        let oracle = GradientOracle(try double(leastSquares(n: 30, d: d)).makeObjective())
        let w = [Double](repeating: 0.2, count: d)
        w.withUnsafeBufferPointer { wp in
            for k in 0..<(95 * d) { _ = oracle.coordinates!.partial(wp, k % d) }
        }
        #expect(oracle.epochs == 95)
        #expect(oracle.charges.reached(95, sampleCount: 30, dimension: d))
        #expect(!oracle.charges.reached(96, sampleCount: 30, dimension: d))
    }

    /// R-CD's records land on whole epochs, exactly.
    @Test func coordinateDescentRecordsLandOnWholeEpochs() throws {
        let rcd = try Catalog.standard.optimizer(named: "rcd").make(["lr=0.1"])
        let r = Runner.run(rcd, on: try leastSquares(n: 60, d: 9), seed: 2, rule: StoppingRule(target: 0, maxEpochs: 40))
        #expect(r.records.map(\.epoch) == (0...40).map(Double.init))
    }

    @Test func exactlyNSampleGradientsMakeOneEpoch() throws {
        let n = 37
        let oracle = GradientOracle(try double(leastSquares(n: n)).makeObjective())
        let w = [Double](repeating: 0, count: 5)
        var g = w
        w.withUnsafeBufferPointer { wp in
            g.withUnsafeMutableBufferPointer { gp in
                for i in 0..<(10 * n) { [i % n].withUnsafeBufferPointer { oracle.sampleGradient(at: wp, samples: $0, into: gp) } }
            }
        }
        #expect(oracle.epochs == 10)
    }

    /// SGD with batch b makes n/b steps per epoch; GD one.
    @Test(arguments: [1, 4, 10, 40])
    func sgdStepsPerEpoch(batch: Int) throws {
        let problem = try leastSquares(n: 40)
        let sgd = try Catalog.standard.optimizer(named: "sgd").make(["lr=0.01", "batch_size=\(batch)"])
        let r = Runner.run(sgd, on: problem, seed: 1, rule: StoppingRule(target: 0, maxEpochs: 5))
        #expect(r.steps == 5 * 40 / batch)
        #expect(r.records.map(\.epoch) == [0, 1, 2, 3, 4, 5])
        let gd = try Catalog.standard.optimizer(named: "gd").make(["lr=0.01"])
        #expect(Runner.run(gd, on: problem, seed: 1, rule: StoppingRule(target: 0, maxEpochs: 5)).steps == 5)
    }

    @Test func recordsStartAtTheInitialPointWithUnitSuboptimality() throws {
        let problem = try leastSquares()
        let gd = try Catalog.standard.optimizer(named: "gd").make(["lr=0.5"])
        let r = Runner.run(gd, on: problem, seed: 3, rule: StoppingRule(target: 1e-3, maxEpochs: 500))
        let p = try double(problem)
        #expect(isClose(r.records[0].loss, p.makeObjective().loss(p.initialPoint(seed: 3)), rtol: 1e-14))
        #expect(r.records[0].suboptimality == 1)
        #expect(r.records[0].seconds == 0)
        #expect(r.status == .reached)
        // Stops at the first record at or under ε, not before.
        let subs = r.records.map { $0.suboptimality! }
        #expect(subs.last! <= 1e-3 && subs.dropLast().allSatisfy { $0 > 1e-3 })
        #expect(r.epochsToTarget == r.records.last!.epoch)
        #expect(zip(r.records, r.records.dropFirst()).allSatisfy { $0.seconds <= $1.seconds })
    }

    @Test func divergenceIsRecordedNotThrown() throws {
        let problem = try leastSquares()
        let gd = try Catalog.standard.optimizer(named: "gd").make(["lr=100"])
        let r = Runner.run(gd, on: problem, seed: 1, rule: StoppingRule(target: 1e-6, maxEpochs: 1000))
        #expect(r.status == .diverged)
        #expect(r.records.count < 100)
        #expect(r.epochsToTarget == nil)
    }

    @Test func budgetEndsTheRun() throws {
        let gd = try Catalog.standard.optimizer(named: "gd").make(["lr=1e-6"])
        let r = Runner.run(gd, on: try leastSquares(), seed: 1, rule: StoppingRule(target: 1e-6, maxEpochs: 7))
        #expect(r.status == .budget && r.final.epoch == 7)
    }

    /// Without F*, accuracy is ‖∇F‖/‖∇F₀‖.
    @Test func gradientNormCriterionWithoutKnownOptimum() throws {
        let gd = try Catalog.standard.optimizer(named: "gd").make(["lr=0.1"])
        let r = Runner.run(gd.float64, on: AnyProblem(UnknownOptimumQuadratic()), seed: 0,
                           rule: StoppingRule(target: 1e-3, maxEpochs: 1000))
        #expect(r.status == .reached)
        #expect(r.records[0].suboptimality == nil)
        // ‖∇F‖ shrinks by (1 − 0.1) per step from w = 1: 0.9^t ≤ 1e-3 first at t = 66.
        #expect(r.epochsToTarget == 66)
    }

    @Test func sameSeedGivesBitIdenticalTraces() throws {
        let problem = try leastSquares()
        let sgd = try Catalog.standard.optimizer(named: "sgd").make(["lr=0.05", "batch_size=3", "momentum=0.5"])
        let a = Runner.run(sgd, on: problem, seed: 9, rule: StoppingRule(target: 0, maxEpochs: 4))
        let b = Runner.run(sgd, on: problem, seed: 9, rule: StoppingRule(target: 0, maxEpochs: 4))
        let c = Runner.run(sgd, on: problem, seed: 10, rule: StoppingRule(target: 0, maxEpochs: 4))
        #expect(a.records.map(\.loss) == b.records.map(\.loss))
        #expect(a.records.map(\.loss) != c.records.map(\.loss))
    }
}

/// F(w) = ½w² with F* deliberately not declared.
final class UnknownOptimumQuadratic: Problem {
    typealias Scalar = Double
    var label: String { "quadratic" }
    var dimension: Int { 1 }
    var sampleCount: Int { 1 }
    var theory: TheoryConstants { TheoryConstants(sampleCount: 1, dimension: 1) }
    func initialPoint(seed: UInt64) -> [Double] { [1] }
    func loss(at w: UnsafeBufferPointer<Double>) -> Double { 0.5 * w[0] * w[0] }
    func lossAndGradient(at w: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) -> Double {
        g[0] = w[0]
        return 0.5 * w[0] * w[0]
    }
    func sampleGradient(at w: UnsafeBufferPointer<Double>, samples: UnsafeBufferPointer<Int>, into g: UnsafeMutableBufferPointer<Double>) {
        _ = lossAndGradient(at: w, into: g)
    }
}
