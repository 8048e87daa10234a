@testable import OptBenchReports
import OptBenchCore
import Foundation
import Testing
@testable import OptBenchHarness

/// Rankings across targets from hand-made traces whose first epochs at each ε, ERTs, ratios and
/// integrated scores are worked out by hand below.
@Suite struct TargetRankingsTests {
    static let suite = Suite(name: "ranks", summary: "test", problems: [], optimizers: [], seeds: [1, 2],
                             rule: StoppingRule(target: 1e-4, maxEpochs: 10), learningRates: [])

    /// A trace with one record per epoch holding `values` as relative suboptimality; seconds are
    /// `secondsPerEpoch` per epoch.
    static func run(_ values: [Double], secondsPerEpoch: Double = 0.01) -> RunResult {
        let records = values.enumerated().map { k, v in
            TraceRecord(epoch: Double(k), loss: v, suboptimality: v, gradientNorm: v, seconds: Double(k) * secondsPerEpoch, metrics: [])
        }
        return RunResult(status: .budget, epochsToTarget: nil, records: records, steps: values.count - 1, metricNames: [], finalAccuracy: values.last)
    }

    /// P0: A reaches 0.01 at epoch 2 and 1e-4 at 3 (both seeds); B reaches 0.01 at 1, and 1e-4
    /// at 5 on seed 1 only, seed 2 stopping at epoch 6. P1: A at 4 and 8, B at 2 and 4. P2: only A.
    static func rankings() -> TargetRankings {
        let a0 = run([1, 0.1, 0.005, 5e-5])
        let b0s1 = run([1, 0.008, 0.001, 5e-4, 2e-4, 8e-5], secondsPerEpoch: 0.001)
        let b0s2 = run([1, 0.008, 0.001, 5e-4, 2e-4, 1.5e-4, 1.2e-4], secondsPerEpoch: 0.001)
        let a1 = run([1, 0.5, 0.2, 0.05, 0.009, 0.005, 0.001, 5e-4, 9e-5])
        let b1 = run([1, 0.1, 0.009, 0.001, 9e-5], secondsPerEpoch: 0.001)
        let traces = [a0, a0, b0s1, b0s2, a1, a1, b1, b1, a0, a0]
        let cells = [(0, 0), (0, 0), (0, 1), (0, 1), (1, 0), (1, 0), (1, 1), (1, 1), (2, 0), (2, 0)].map { (problem: $0.0, optimizer: $0.1) }
        return TargetRankings(suite: suite, problemLabels: ["P0", "P1", "P2"], optimizerLabels: ["A", "B"], traces: traces, traceCells: cells)
    }

    @Test func targetsAreTheSuitesAndLooserOnesBelowOne() {
        #expect(TargetRankings.targets(for: 1e-6) == [1e-2, 1e-4, 1e-6])
        #expect(TargetRankings.targets(for: 1e-4) == [1e-2, 1e-4])
        #expect(TargetRankings.targets(for: 1e-5).count == 3)
    }

    /// ε = 0.01: costs P0 (A 2, B 1), P1 (A 4, B 2) → ratios A 2, 2; B 1, 1 →
    /// B_A = (2/3 + 2/3)/2, B_B = 1. ε = 1e-4: P0 (A 3, B (5 + 6)/1 = 11), P1 (A 8, B 4) →
    /// ratios A 1, 2; B 11/3, 1 → B_A = (1 + 2/3)/2, B_B = ((4 − 11/3)/3 + 1)/2. The order flips.
    @Test func scoresAndOrdersMatchTheHandWorkedValues() throws {
        let r = Self.rankings()
        #expect(r.epsilons == [0.01, 1e-4])
        let loose = r.epochs[0], tight = r.epochs[1]
        let pLoose = try #require(loose.profile), pTight = try #require(tight.profile)
        #expect(pLoose.solvers == ["A", "B"] && pLoose.problemCount == 2 && pTight.problemCount == 2)
        #expect(loose.dropped == ["P2 (not run by every optimizer)"])
        #expect(abs(loose.scores[0] - 2.0 / 3) < 1e-12 && loose.scores[1] == 1)
        #expect(loose.ranks == [2, 1])
        #expect(abs(tight.scores[0] - (1 + 2.0 / 3) / 2) < 1e-12)
        #expect(abs(tight.scores[1] - ((4 - 11.0 / 3) / 3 + 1) / 2) < 1e-12)
        #expect(tight.ranks == [1, 2])
        #expect(loose.problems[0].ranking.order == ["B", "A"] && tight.problems[0].ranking.order == ["A", "B"])
        #expect(tight.problems[0].ranking.expectedRunningTimes["B"]?.value == 11)
        #expect(tight.problems[1].ranking.order == ["B", "A"])
        // Seconds: B runs 10× faster per epoch, so on P0 at 1e-4 it costs (0.005 + 0.006)/1 s against A's 0.03 s.
        let seconds = r.seconds[1].problems[0].ranking.expectedRunningTimes
        #expect(abs(seconds["B"]!.value - 0.011) < 1e-12 && abs(seconds["A"]!.value - 0.03) < 1e-12)
        #expect(r.seconds[1].problems[0].ranking.order == ["B", "A"])
    }

    /// A metric suite (≥ ε) ranks on the error 1 − metric and labels its targets in the metric's
    /// terms: test_accuracy ≥ 0.6 is the error 0.4, and the looser error 0.8 is test_accuracy ≥ 0.2.
    @Test func metricTargetsAreLabelledInTheMetric() {
        let criterion = StoppingCriterion.metric("test_accuracy")
        let targets = TargetRankings.targets(for: 0.6, criterion: criterion)
        #expect(targets == [0.8, 0.4])
        #expect(targets.map(criterion.targetLabel) == ["test_accuracy ≥ 0.2", "test_accuracy ≥ 0.6"])
        #expect(StoppingCriterion.loss.targetLabel(0.2) == "F ≤ 0.2")
        #expect(StoppingCriterion.relative.targetLabel(1e-4) == "ε = 0.0001")
        #expect(criterion.reachSentence == "test_accuracy ≥ the target")
    }

    @Test func markdownAndJSONCarryTheScores() throws {
        let r = Self.rankings()
        let report = RankingReport(suite: Self.suite, command: "test", rankings: r,
                                   noise: TimingNoise(first: [], second: []))
        let md = report.markdown(.epochs)
        #expect(md.contains("0.667 (#2)"))
        #expect(md.contains("0.833 (#1)") && md.contains("1.000 (#1)") && md.contains("0.556 (#2)"))
        #expect(md.contains("The order by score changes with the target (first: B at ε = 0.01; A at ε = 0.0001)"), "\(md)")
        #expect(md.contains("| P0 ") && md.contains("B 1, A 2") && md.contains("A 3, B 11"))
        #expect(report.markdown(.seconds).contains("Timing noise of this run"))
        let docs = r.documents
        #expect(docs.map(\.epsilon) == [0.01, 1e-4])
        #expect(docs[1].scores.map(\.optimizer) == ["A", "B"] && docs[1].scores.map(\.rank) == [1, 2])
        #expect(docs[1].orders.first { $0.problem == "P0" }?.expectedRunningTimes == [3, 11])
    }

    /// A diverged record (non-finite) never reaches ε; a run without F* is judged by ‖∇F‖/‖∇F₀‖.
    @Test func accuracyFollowsTheStoppingRule() {
        let records = [TraceRecord(epoch: 0, loss: 4, suboptimality: nil, gradientNorm: 2, seconds: 0, metrics: []),
                       TraceRecord(epoch: 1, loss: 1, suboptimality: nil, gradientNorm: 0.02, seconds: 0.1, metrics: []),
                       TraceRecord(epoch: 2, loss: .nan, suboptimality: nil, gradientNorm: .nan, seconds: 0.2, metrics: [])]
        let run = RunResult(status: .diverged, epochsToTarget: nil, records: records, steps: 2, metricNames: [], finalAccuracy: nil)
        let a = TargetRankings.accuracyTrace(run, cost: .epochs)
        #expect(a.map(\.accuracy) == [1, 0.01, .infinity])
        #expect(TargetRankings.accuracyTrace(run, cost: .seconds).map(\.epoch) == [0, 0.1, 0.2])
    }
}

/// The timing noise of a run from cells timed twice, and the band `compare` takes from it.
@Suite struct TimingNoiseTests {
    /// d = max/min − 1 = 0, 0.05, 0.1, 0.2, 0.4, 0.8 (the 7th cell is under 1 ms and left out):
    /// type-7 quantiles h = 5q: q = 0.9 → 0.4 + 0.5·0.4 = 0.6; q = 0.5 → 0.1 + 0.5·0.1 = 0.15.
    @Test func noiseIsAQuantileOfTheRelativeDifferences() throws {
        let first = [1, 1.05, 1, 1.2, 1, 1.8, 0.0002]
        let second = [1, 1, 1.1, 1, 1.4, 1, 0.0004]
        let n = TimingNoise(first: first, second: second)
        #expect(n.cells == 6 && n.fromThisRun == 6)
        #expect(abs(try #require(n.relativeNoise) - 0.6) < 1e-9)
        #expect(abs(try #require(n.medianRelativeDifference) - 0.15) < 1e-9)
        #expect(TimingNoise(first: second, second: first) == n)
        #expect(TimingNoise(first: [1, 1, 1, 1], second: [2, 2, 2, 2]).relativeNoise == nil)
    }

    @Test func compareUsesTheLargerMeasuredNoise() {
        let low = TimingNoise(first: [1, 1, 1, 1, 1], second: [1.1, 1.1, 1.1, 1.1, 1.1])
        let high = TimingNoise(first: [1, 1, 1, 1, 1], second: [1.3, 1.3, 1.3, 1.3, 1.3])
        #expect(abs(Comparison.band(given: nil, baseline: low, new: high).value - 0.3) < 1e-9)
        #expect(abs(Comparison.band(given: nil, baseline: high, new: nil).value - 0.3) < 1e-9)
        #expect(Comparison.band(given: 0.2, baseline: low, new: high).value == 0.2)
        #expect(Comparison.band(given: nil, baseline: nil, new: nil).value == Comparison.defaultTimeBand)
    }
}
