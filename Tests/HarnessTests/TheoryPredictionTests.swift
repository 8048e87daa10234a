@testable import OptBenchReports
import OptBenchCatalog
import OptBenchCore
import Foundation
import Testing
import TestSupport
@testable import OptBenchHarness

@Suite struct TheoryPredictionTests {
    static let instance: TheoryConstants = {
        var t = TheoryConstants(sampleCount: 1000, dimension: 50)
        t.smoothness = 100; t.strongConvexity = 1
        t.lambdaMax = 100; t.lambdaMin = 1; t.lambdaAverage = 20
        return t
    }()

    /// Appendix C's formulas written out by hand at ε = e⁻¹⁰ (log(1/ε) = 10).
    @Test func predictionsFollowTheAppendixFormulas() {
        let eps = exp(-10.0)
        let expected: [(Complexity, Double)] = [
            (.gradientDescent, 1000), (.accelerated, 100), (.coordinate, 200),
            (.varianceReduced, (1 + 0.05 * 20) * 10), (.varianceReducedAsPrinted, (1 + 20 * 20) * 10), (.sgdRealizable, 0.05 * 20 * 10),
        ]
        for (c, e) in expected { #expect(isClose(c.epochs(Self.instance, epsilon: eps)!, e, rtol: 1e-12), "\(c)") }
        var partial = TheoryConstants(sampleCount: 10, dimension: 2)
        partial.smoothness = 3; partial.strongConvexity = 1
        #expect(Complexity.gradientDescent.epochs(partial, epsilon: eps) == nil)  // κ_D unknown
    }

    @Test func linearFitRecoversALine() {
        let x = [0.0, 1, 2, 3.5]
        let fit = linearFit(x: x, y: x.map { 0.5 * $0 - 2 })!
        #expect(isClose(fit.slope, 0.5, rtol: 1e-14) && isClose(fit.intercept, -2, rtol: 1e-14))
        #expect(linearFit(x: [1, 1], y: [2, 3]) == nil)
    }

    /// The complexity report on a grid: every row's ratio is measured ÷ predicted, and GD's
    /// fitted κ-exponent on exact least squares instances is close to theory's 1.
    @Test func complexityReportOnASmallSweep() throws {
        let suite = Suite(
            name: "sweep", summary: "test",
            problems: [10.0, 40, 160].map { try! Catalog.standard.row("least-squares", ["n=60", "d=6", "kappa=\(Int($0))"], series: ["kappa"]) },
            optimizers: [try! Catalog.standard.column("gd", prescribed: ["lr": "1/lambda_max"], complexity: .gradientDescent, tag: "theory")],
            seeds: [1], rule: StoppingRule(target: 1e-8, maxEpochs: 20000), learningRates: [])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-complexity-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Grid(suite: suite, jobs: 1).run(writingTo: dir, command: "test")
        let csv = try String(contentsOf: dir.appendingPathComponent("complexity.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 4)
        for line in csv.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let measured = Double(f[f.count - 3])!, predicted = Double(f[f.count - 2])!, ratio = Double(f[f.count - 1])!
            #expect(isClose(ratio, measured / predicted, rtol: 5e-3))
        }
        let md = try String(contentsOf: dir.appendingPathComponent("complexity.md"), encoding: .utf8)
        let slopeLine = md.split(separator: "\n").first { $0.contains("| kappa") && $0.contains("gd[theory]") }!
        let cells = slopeLine.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        let measuredSlope = Double(cells[3])!, theorySlope = Double(cells[4])!
        #expect(theorySlope == 1)
        #expect(abs(measuredSlope - 1) < 0.15, "GD's κ-exponent \(measuredSlope)")
    }
}
