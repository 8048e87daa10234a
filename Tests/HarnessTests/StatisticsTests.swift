@testable import OptBenchReports
import Foundation
import Testing
@testable import OptBenchHarness

/// Equal, or both infinite with the same sign, or within `rtol` relatively.
private func near(_ a: Double, _ b: Double, rtol: Double = 1e-12) -> Bool {
    if a == b { return true }
    return abs(a - b) <= rtol * max(abs(a), abs(b))
}

private func runs(_ epochs: [Double?], budget: Double = 100) -> [RunOutcome] {
    epochs.enumerated().map { i, t in
        t.map { .success($0, seed: UInt64(i)) } ?? .failure(budget: budget, seed: UInt64(i))
    }
}

/// Synthetic runs: epochs-to-ε log-normal around 50 with a shared seed-level factor, a failure
/// (budget 400) with probability `failureRate`; deterministic per `seed`.
private func syntheticRuns(_ count: Int, seed: UInt64, failureRate: Double = 0.1) -> [RunOutcome] {
    var g = ResamplingGenerator(seed: seed)
    return (0..<count).map { i in
        let u1 = 1 - Double(g.next() >> 11) * 0x1.0p-53, u2 = Double(g.next() >> 11) * 0x1.0p-53
        let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        let fail = Double(g.next() >> 11) * 0x1.0p-53 < failureRate
        return fail ? .failure(budget: 400, seed: UInt64(i)) : .success(50 * exp(0.4 * z), seed: UInt64(i))
    }
}

// MARK: - Expected running time

@Suite struct ExpectedRunningTimeTests {
    @Test func allSucceedingRunsGiveTheMean() {
        let ert = expectedRunningTime(runs: runs([10, 20, 30, 40]))
        #expect(ert.value == 25 && ert.successes == 4 && ert.runs == 4 && ert.successRate == 1)
    }

    /// (10 + 20 + 100 + 100) / 2 = 115: failures count their whole budget, the divisor is k.
    @Test func failuresAddTheirBudgetAndDivideBySuccesses() {
        let ert = expectedRunningTime(runs: runs([10, nil, 20, nil]))
        #expect(ert.value == 115 && ert.successes == 2 && ert.successRate == 0.5)
        // COCO's identity ERT = mean(t) + (s − k)/k · mean(T).
        #expect(near(ert.value, 15 + 2.0 / 2.0 * 100))
    }

    @Test func noSuccessGivesInfinityAndRateZero() {
        let ert = expectedRunningTime(runs: runs([nil, nil, nil]))
        #expect(ert.value == .infinity && ert.successes == 0 && ert.successRate == 0)
    }

    /// A success is charged its epochs-to-ε, not what it spent after reaching ε.
    @Test func aSuccessIsChargedItsEpochsToTarget() {
        let r = [RunOutcome(epochsSpent: 80, epochsToTarget: 12), .failure(budget: 80)]
        #expect(expectedRunningTime(runs: r).value == 92)
    }

    @Test(arguments: [
        ([10, 20, nil] as [Double?], 20.0),
        ([10, 20, 30, nil], 25),
        ([10, nil, nil], .infinity),
        ([10, 20, nil, nil], .infinity),
        ([7], 7),
    ])
    func medianCountsFailuresAsInfinite(epochs: [Double?], expected: Double) {
        #expect(medianEpochsToTarget(runs: runs(epochs)) == expected)
    }

    @Test func quantileInterpolatesLikeNumpyAndPropagatesInfinity() {
        let s = [1.0, 2, 4, 8]
        #expect(quantileOfSorted(s, 0) == 1 && quantileOfSorted(s, 1) == 8)
        #expect(near(quantileOfSorted(s, 0.5), 3))            // h = 1.5
        #expect(near(quantileOfSorted(s, 0.025), 1.075))      // h = 0.075
        #expect(quantileOfSorted([1, 2, .infinity], 0.75) == .infinity)
        #expect(quantileOfSorted([1, 2, .infinity], 0.5) == 2)
    }
}

// MARK: - Bootstrap

@Suite struct BootstrapTests {
    @Test func intervalIsDeterministicPerSeed() {
        let r = syntheticRuns(20, seed: 3)
        let a = bootstrapExpectedRunningTime(runs: r, options: BootstrapOptions(seed: 11))
        let b = bootstrapExpectedRunningTime(runs: r, options: BootstrapOptions(seed: 11))
        let c = bootstrapExpectedRunningTime(runs: r, options: BootstrapOptions(seed: 12))
        #expect(a == b)
        #expect(a != c)
    }

    @Test(arguments: [1 as UInt64, 2, 3, 4])
    func intervalContainsThePointEstimate(seed: UInt64) {
        let r = syntheticRuns(15, seed: seed)
        let ert = bootstrapExpectedRunningTime(runs: r, options: BootstrapOptions(seed: seed))
        #expect(ert.estimate == expectedRunningTime(runs: r).value)
        #expect(ert.contains(ert.estimate) && ert.lower < ert.upper)
        let med = bootstrapMedianEpochsToTarget(runs: r, options: BootstrapOptions(seed: seed))
        #expect(med.estimate == medianEpochsToTarget(runs: r))
        #expect(med.contains(med.estimate))
    }

    /// The same empirical distribution with 40× the runs (each run repeated 40 times): the
    /// percentile interval narrows like 1/√s, to about 1/√40 ≈ 0.16 of its width.
    @Test func intervalShrinksWithMoreRuns() {
        let few = runs([12, 30, nil, 18, 45, 22, 27, 15, nil, 35], budget: 200)
        let many = Array(repeating: few, count: 40).flatMap { $0 }
        let ratioERT = bootstrapExpectedRunningTime(runs: many).width / bootstrapExpectedRunningTime(runs: few).width
        let ratioMedian = bootstrapMedianEpochsToTarget(runs: many).width / bootstrapMedianEpochsToTarget(runs: few).width
        #expect(ratioERT > 0.08 && ratioERT < 0.3, "width ratio \(ratioERT)")
        #expect(ratioMedian < 0.5, "width ratio \(ratioMedian)")
    }

    /// Fresh synthetic cells: across eight seeds, the median width with 400 runs is well under
    /// half that with 10 (a single small cell can look tight by luck, e.g. with no failure drawn).
    @Test func intervalShrinksWithMoreRunsAcrossSeeds() {
        func medianWidth(_ n: Int) -> Double {
            let w = (1...8).map { bootstrapExpectedRunningTime(runs: syntheticRuns(n, seed: UInt64($0))).width }.sorted()
            return 0.5 * (w[3] + w[4])
        }
        #expect(medianWidth(400) < 0.5 * medianWidth(10))
    }

    @Test func aHigherLevelGivesAWiderInterval() {
        let r = syntheticRuns(20, seed: 9)
        let i90 = bootstrapExpectedRunningTime(runs: r, options: BootstrapOptions(level: 0.90))
        let i99 = bootstrapExpectedRunningTime(runs: r, options: BootstrapOptions(level: 0.99))
        #expect(i99.lower <= i90.lower && i90.upper <= i99.upper && i99.width > i90.width)
    }

    @Test func identicalRunsGiveADegenerateInterval() {
        let i = bootstrapExpectedRunningTime(runs: runs([30, 30, 30]))
        #expect(i.lower == 30 && i.upper == 30 && i.estimate == 30)
    }

    @Test func rarelySucceedingCellsGetAnUnboundedUpperEnd() {
        let i = bootstrapExpectedRunningTime(runs: runs([10, nil, nil, nil, nil]))
        #expect(i.estimate == 410 && i.upper == .infinity)
    }
}

// MARK: - Paired comparison

@Suite struct PairedComparisonTests {
    @Test func aCellComparedWithItselfDoesNotDiffer() {
        let r = syntheticRuns(12, seed: 1)
        let c = pairedComparison(r, r)
        #expect(c.ratio.lower == 1 && c.ratio.upper == 1 && c.ratio.estimate == 1)
        #expect(!c.differs && !differBeyondConfidenceInterval(r, r))
    }

    /// b takes 1.1× a's epochs on every seed while seeds vary 100-fold: pairing cancels the seed
    /// effect (every resample's ratio is 1/1.1), whereas the unpaired intervals overlap.
    @Test func pairingCancelsTheCommonSeedEffect() {
        let base: [Double] = [10, 900, 35, 400, 60, 1000, 15, 250, 80, 600]
        let a = runs(base, budget: 2000), b = runs(base.map { 1.1 * $0 }, budget: 2000)
        let c = pairedComparison(a, b)
        #expect(near(c.ratio.lower, 1 / 1.1) && near(c.ratio.upper, 1 / 1.1))
        #expect(c.differs && c.aIsFaster && !c.bIsFaster)
        let ia = bootstrapExpectedRunningTime(runs: a), ib = bootstrapExpectedRunningTime(runs: b)
        #expect(ia.upper > ib.lower)  // independently, the two intervals overlap
        #expect(!differBeyondConfidenceInterval(a, b, tolerance: 0.2))  // 10 % is inside a 20 % band
    }

    @Test func noisyCellsWithoutAnEffectDoNotDiffer() {
        let a = syntheticRuns(10, seed: 21), b = syntheticRuns(10, seed: 22).enumerated().map { i, r in
            RunOutcome(seed: a[i].seed, epochsSpent: r.epochsSpent, epochsToTarget: r.epochsToTarget)
        }
        let c = pairedComparison(a, b)
        #expect(c.ratio.contains(1) && !c.differs)
    }

    @Test func ratioConventionsForFailures() {
        #expect(ertRatio(.infinity, .infinity) == 1)
        #expect(ertRatio(5, .infinity) == 0)
        #expect(ertRatio(.infinity, 5) == .infinity)
        let c = pairedComparison(runs([10, 12, 11]), runs([nil, nil, nil]))
        #expect(c.ratio.estimate == 0 && c.ratio.upper == 0 && c.aIsFaster)
    }

    /// Both reach ε at epoch 0 on seed 0: a resample of that seed alone is 0/0, counted as 1
    /// (no difference) rather than a NaN statistic; the estimate is (0 + 5)/2 ÷ (0 + 3)/2.
    @Test func runsThatStartAtTheTargetCompare() {
        #expect(ertRatio(0, 0) == 1)
        let c = pairedComparison(runs([0, 5]), runs([0, 3]))
        #expect(c.ratio.estimate == 5.0 / 3.0)
        #expect(c.ratio.lower >= 1 && c.ratio.upper <= 5.0 / 3.0)
    }

    @Test func mismatchedSeedsAreRejected() async {
        await #expect(processExitsWith: .failure) {
            _ = pairedComparison([.success(1, seed: 1)], [.success(1, seed: 2)])
        }
    }
}

// MARK: - Agreement with numpy

/// Tests/Fixtures/statistics_bootstrap.csv, made by Tests/Fixtures/make_statistics_fixture.py:
/// the same generator and resampling scheme in Python, the statistics and percentiles by numpy.
@Suite struct StatisticsFixtureTests {
    static func fixtureRows() throws -> [[String]] {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = directory.appendingPathComponent("Tests/Fixtures/statistics_bootstrap.csv")
            if FileManager.default.fileExists(atPath: candidate.path) {
                return try String(contentsOf: candidate, encoding: .utf8)
                    .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            }
            directory.deleteLastPathComponent()
        }
        Issue.record("Tests/Fixtures/statistics_bootstrap.csv not found above \(#filePath); run python3 Tests/Fixtures/make_statistics_fixture.py")
        return []
    }

    @Test func generatorAndIntervalsMatchNumpy() throws {
        let rows = try Self.fixtureRows()
        var cases = [String: [RunOutcome]]()
        var checkedIntervals = 0, checkedDraws = 0
        for row in rows where row[0] == "run" {
            let spent = Double(row[3])!, target = row[4].isEmpty ? nil : Double(row[4])!
            cases[row[1], default: []].append(RunOutcome(seed: UInt64(row[2])!, epochsSpent: spent, epochsToTarget: target))
        }
        var g = ResamplingGenerator(seed: 7)
        for row in rows where row[0] == "rng" {
            #expect(UInt64(row[1]) == 7)
            #expect(g.next() == UInt64(row[3])!, "draw \(row[2])")
            checkedDraws += 1
        }
        for row in rows where row[0] == "ci" {
            let options = BootstrapOptions(resamples: Int(row[4])!, level: Double(row[5])!, seed: UInt64(row[3])!)
            let expected = (Double(row[6])!, Double(row[7])!, Double(row[8])!)
            let got: ConfidenceInterval
            switch row[2] {
            case "ert": got = bootstrapExpectedRunningTime(runs: cases[row[1]]!, options: options)
            case "median": got = bootstrapMedianEpochsToTarget(runs: cases[row[1]]!, options: options)
            default:
                let names = row[1].split(separator: "/").map(String.init)
                got = pairedComparison(cases[names[0]]!, cases[names[1]]!, options: options).ratio
            }
            #expect(near(got.estimate, expected.0) && near(got.lower, expected.1) && near(got.upper, expected.2),
                    "\(row[1]) \(row[2]) seed \(row[3]): \(got) vs \(expected)")
            checkedIntervals += 1
        }
        #expect(checkedDraws == 4 && checkedIntervals == 10)
    }
}

// MARK: - Performance profiles

@Suite struct PerformanceProfileTests {
    /// Hand-worked: costs (A, B, C) p1 = (1, 1.5, 4), p2 = (3, 3, ∞), p3 = (10, 5, 15) give
    /// ratios p1 = (1, 1.5, 4), p2 = (1, 1, ∞), p3 = (2, 1, 3).
    static let profile = PerformanceProfile(
        costs: [[1, 1.5, 4], [3, 3, .infinity], [10, 5, 15]], solvers: ["A", "B", "C"])

    @Test func ratiosDivideByTheBestPerProblem() {
        #expect(Self.profile.ratios == [[1, 1.5, 4], [1, 1, .infinity], [2, 1, 3]])
    }

    @Test func rhoCountsProblemsWithinTau() {
        let v = Self.profile.values(at: [1, 1.5, 2, 3.9, 4, 100])
        let third = 1.0 / 3, twoThirds = 2.0 / 3
        let expected: [[Double]] = [
            [twoThirds, twoThirds, 1, 1, 1, 1],  // A: ratios 1, 1, 2
            [twoThirds, 1, 1, 1, 1, 1],          // B: 1.5, 1, 1
            [0, 0, 0, third, twoThirds, twoThirds],  // C: 4, ∞, 3
        ]
        #expect(v == expected)
        #expect(Self.profile.rho(solver: "C", at: 0.5) == 0)
    }

    @Test func breakpointsAreTheDistinctFiniteRatios() {
        let a = Self.profile.breakpoints(solver: "A"), c = Self.profile.breakpoints(solver: "C")
        #expect(a.map(\.tau) == [1, 2] && a.map(\.rho) == [2.0 / 3, 1])
        #expect(c.map(\.tau) == [3, 4] && c.map(\.rho) == [1.0 / 3, 2.0 / 3])
    }

    /// B = 1/(P·(τmax − 1)) Σ_p max(0, τmax − r): A (3 + 3 + 2)/9, B (2.5 + 3 + 3)/9,
    /// C (0 + 0 + 1)/9; with τmax = 2, B scores (0.5 + 1 + 1)/3.
    @Test func integratedScoreOfTheHandWorkedExample() {
        let s = Self.profile.integratedScores()
        #expect(near(s[0], 8.0 / 9) && near(s[1], 8.5 / 9) && near(s[2], 1.0 / 9))
        #expect(near(Self.profile.integratedScore(solver: "B", tauMax: 2), 2.5 / 3))
        #expect(Self.profile.integratedScore(solver: "C", tauMax: 2) == 0)
    }

    /// AlgoPerf's scoring code integrates ρ by the trapezoid rule on a linear τ grid; the exact
    /// step-function integral agrees with it on a fine grid.
    @Test func integratedScoreMatchesATrapezoidOnAFineGrid() {
        let n = 30001, taus = (0..<n).map { 1 + 3 * Double($0) / Double(n - 1) }
        for (s, rho) in Self.profile.values(at: taus).enumerated() {
            var area = 0.0
            for k in 1..<n { area += 0.5 * (rho[k] + rho[k - 1]) * (taus[k] - taus[k - 1]) }
            #expect(abs(area / 3 - Self.profile.integratedScore(solver: s)) < 1e-3)
        }
    }

    @Test func bestEverywhereScoresOneAndAlwaysFailingScoresZero() {
        let p = PerformanceProfile(
            costs: [[2, 3, .infinity], [5, 50, .infinity], [1, 1.5, .infinity], [7, 8, .infinity]],
            solvers: ["best", "other", "broken"])
        #expect(p.integratedScore(solver: "best") == 1)
        #expect(p.integratedScore(solver: "broken") == 0)
        let other = p.integratedScore(solver: "other")
        #expect(other > 0 && other < 1)
        #expect(p.breakpoints(solver: "broken").isEmpty)
    }

    @Test func aProblemNoSolverSolvesCreditsNobody() {
        let p = PerformanceProfile(costs: [[1, 2], [.infinity, .infinity]], solvers: ["x", "y"])
        #expect(p.ratios[1] == [.infinity, .infinity])
        #expect(p.rho(solver: "x", at: 1000) == 0.5 && p.integratedScore(solver: "x") == 0.5)
    }

    @Test func tiesAtTheBestAllGetRatioOne() {
        let p = PerformanceProfile(costs: [[4, 4, 8]], solvers: ["x", "y", "z"])
        #expect(p.ratios == [[1, 1, 2]])
        #expect(p.integratedScore(solver: "y") == 1 && near(p.integratedScore(solver: "z"), 2.0 / 3))
    }
}

// MARK: - Rankings across targets

@Suite struct RankingTests {
    private static func trace(_ accuracies: [Double]) -> [AccuracyPoint] {
        accuracies.enumerated().map { AccuracyPoint(epoch: Double($0 + 1), accuracy: $1) }
    }

    /// "sublinear" is ahead at ε = 0.1 (epoch 1 vs 2) but behind at 0.01 (10 vs 4) and never
    /// reaches 0.001; "linear" reaches each decade in two epochs.
    static let traces: [String: [[AccuracyPoint]]] = [
        "sublinear": [
            trace([0.1, 0.08, 0.06, 0.05, 0.04, 0.03, 0.025, 0.02, 0.015, 0.01, 0.009, 0.008]),
            trace([0.1, 0.07, 0.05, 0.04, 0.03, 0.025, 0.02, 0.015, 0.012, 0.01, 0.009, 0.008]),
        ],
        "linear": [trace([0.5, 0.1, 0.05, 0.01, 0.005, 0.001]), trace([0.5, 0.1, 0.05, 0.01, 0.004, 0.001])],
    ]

    @Test func firstEpochReachingIsTheFirstPointAtOrBelowEpsilon() {
        let t = Self.trace([0.5, 0.1, 0.05, 0.01])
        #expect(firstEpochReaching(0.1, in: t) == 2)
        #expect(firstEpochReaching(0.07, in: t) == 3)
        #expect(firstEpochReaching(0.001, in: t) == nil)
        #expect(runOutcome(trace: t, epsilon: 0.001) == .failure(budget: 4))
    }

    @Test func theOrderDependsOnTheTarget() {
        let r = rankingsAcrossTargets(traces: Self.traces, epsilons: [0.1, 0.01, 0.001])
        #expect(r.map(\.order) == [["sublinear", "linear"], ["linear", "sublinear"], ["linear", "sublinear"]])
        #expect(orderDependsOnTarget(r))
        #expect(r[0].firstEpochs["sublinear"]! == [1, 1] && r[0].firstEpochs["linear"]! == [2, 2])
        #expect(r[1].firstEpochs["sublinear"]! == [10, 10] && r[1].firstEpochs["linear"]! == [4, 4])
        #expect(r[2].firstEpochs["sublinear"]! == [nil, nil] && r[2].expectedRunningTimes["sublinear"]!.value == .infinity)
        #expect(r[2].expectedRunningTimes["linear"]!.value == 6)
        #expect(!orderDependsOnTarget(Array(r.dropFirst())))
    }

    @Test func tiesAreBrokenByName() {
        let t = Self.trace([0.5, 0.1])
        let r = rankingsAcrossTargets(traces: ["zeta": [t], "alpha": [t], "mu": [t]], epsilons: [0.1, 0.001])
        #expect(r[0].order == ["alpha", "mu", "zeta"] && r[1].order == ["alpha", "mu", "zeta"])
    }
}
