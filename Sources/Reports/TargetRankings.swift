import OptBenchHarness
import OptBenchCore

/// A suite's optimizers compared at several targets ε from one set of traces — the tuned
/// runs' — over epochs and over seconds, so a reader sees whether the order depends on ε.
///
/// At each ε and for each problem p and optimizer s, the cost c_{p,s}(ε) is COCO's ERT over the
/// seeds (`expectedRunningTime`): a run's cost is the epochs (or optimizer seconds) at its first
/// record with accuracy ≤ ε, a run that never gets there is charged its whole trace, and the sum
/// is divided by the runs that got there (+∞ when none did). Accuracy is the run's relative
/// suboptimality where F* is known, else ‖∇F‖/‖∇F₀‖, as the stopping rule measures it. Then per ε:
/// the order on each problem (`rankingsAcrossTargets`), and over the problems every optimizer ran
/// and some optimizer solved, the performance profile and AlgoPerf's integrated score
///
///     B_s(ε) = 1/(τ_max − 1) · ∫₁^{τ_max} ρ_s(τ; ε) dτ,   τ_max = 4
///
/// ranked highest first (equal scores share a rank). Traces stop at the suite's ε, so the
/// targets are that ε and looser ones; the tuned values are those best at the suite's ε.
public struct TargetRankings: Sendable {
    /// What a cost counts.
    public enum Cost: String, Sendable { case epochs, seconds }

    /// The results at one ε for one cost.
    public struct Target: Sendable {
        public var epsilon: Double
        /// Per problem with traces (suite order): its label and the optimizers' order there.
        public var problems: [(label: String, ranking: TargetRanking)]
        /// The profile over the problems every optimizer ran and some solved; nil when none.
        public var profile: PerformanceProfile?
        /// Problems left out of the profile, with why.
        public var dropped: [String]
        /// B_s for each optimizer of the profile, in `profile.solvers` order.
        public var scores: [Double]
        /// Competition rank of each score (1 = highest).
        public var ranks: [Int]
    }

    public static let tauMax = 4.0

    public let optimizerLabels: [String]
    public let epsilons: [Double]
    /// What the targets measure (their labels: `label(_:)`).
    public let criterion: StoppingCriterion
    public let epochs: [Target]
    public let seconds: [Target]

    /// The suite's ε and the looser ε·10², ε·10⁴ that stay below 1, loosest first (the looser
    /// ones as the nearest doubles to their decimal values: 1e-4, not 9.999999999999999e-05).
    /// For a loss criterion the looser targets are 4ε and 2ε; for a metric (≥ ε) the
    /// rankings run on the error 1 − metric, at 1 − ε and the looser 2(1 − ε), 4(1 − ε).
    public static func targets(for epsilon: Double, criterion: StoppingCriterion) -> [Double] {
        switch criterion {
        case .relative: return targets(for: epsilon)
        case .loss: return [4, 2, 1].map { Double(String(format: "%.15g", $0 * epsilon))! }
        case .metric: let e = 1 - epsilon; return [4, 2, 1].map { Double(String(format: "%.15g", $0 * e))! }.filter { $0 < 1 }
        }
    }

    public static func targets(for epsilon: Double) -> [Double] {
        [1e4, 1e2].map { Double(String(format: "%.15g", $0 * epsilon))! }.filter { $0 < 1 } + (epsilon < 1 ? [epsilon] : [])
    }

    /// - Parameters:
    ///   - traces: the tuned runs, `traces[k]` of `traceCells[k]` (problem, optimizer indices),
    ///     the seeds of a pair consecutive, as `TraceWriter.write` receives them.
    public init(suite: Suite, problemLabels: [String], optimizerLabels: [String],
                traces: [RunResult], traceCells: [(problem: Int, optimizer: Int)]) {
        self.optimizerLabels = optimizerLabels
        let epsilons = Self.targets(for: suite.rule.target, criterion: suite.rule.criterion)
        let criterion = suite.rule.criterion
        self.criterion = criterion
        self.epsilons = epsilons
        var runs: [Int: [Int: [RunResult]]] = [:]
        for (k, run) in traces.enumerated() where k < traceCells.count && !run.records.isEmpty {
            runs[traceCells[k].problem, default: [:]][traceCells[k].optimizer, default: []].append(run)
        }
        func compute(_ cost: Cost) -> [Target] {
            // Per problem, the rankings at every ε from the same traces.
            var perProblem: [(label: String, rankings: [TargetRanking])] = []
            for (i, label) in problemLabels.enumerated() {
                guard let byOptimizer = runs[i], !byOptimizer.isEmpty else { continue }
                var curves: [String: [[AccuracyPoint]]] = [:]
                for (j, seeds) in byOptimizer { curves[optimizerLabels[j]] = seeds.map { Self.accuracyTrace($0, cost: cost, criterion: criterion) } }
                perProblem.append((label, rankingsAcrossTargets(traces: curves, epsilons: epsilons)))
            }
            return epsilons.indices.map { e in
                let problems = perProblem.map { (label: $0.label, ranking: $0.rankings[e]) }
                let (profile, dropped) = Self.profile(problems, optimizerLabels: optimizerLabels)
                let scores = profile?.integratedScores(tauMax: Self.tauMax) ?? []
                let ranks = scores.map { s in 1 + scores.filter { $0 > s }.count }
                return Target(epsilon: epsilons[e], problems: problems, profile: profile, dropped: dropped, scores: scores, ranks: ranks)
            }
        }
        epochs = compute(.epochs)
        seconds = compute(.seconds)
    }

    public func targets(_ cost: Cost) -> [Target] { cost == .epochs ? epochs : seconds }

    /// The trace's accuracy against epochs or seconds; a value that is not finite (a diverged
    /// record) never reaches any ε.
    static func accuracyTrace(_ run: RunResult, cost: Cost, criterion: StoppingCriterion = .relative) -> [AccuracyPoint] {
        let g0 = run.records[0].gradientNorm
        let metric: Int? = if case .metric(let name) = criterion { run.metricNames.firstIndex(of: name) } else { nil }
        return run.records.map { r in
            var a: Double
            if case .loss = criterion {
                a = r.loss
            } else if case .metric = criterion {
                a = metric.map { 1 - r.metrics[$0] } ?? .infinity
            } else if let s = r.suboptimality {
                a = s < 0 ? 0 : s
            } else {
                a = g0 > 0 ? r.gradientNorm / g0 : (r.gradientNorm == 0 ? 0 : .infinity)
            }
            if !a.isFinite { a = .infinity }
            return AccuracyPoint(epoch: cost == .epochs ? r.epoch : r.seconds, accuracy: a)
        }
    }

    /// The profile over the problems every optimizer with a trace ran (a problem another could
    /// not run is left out) and at least one solved.
    static func profile(_ problems: [(label: String, ranking: TargetRanking)], optimizerLabels: [String])
        -> (profile: PerformanceProfile?, dropped: [String]) {
        let solvers = optimizerLabels.filter { o in problems.contains { $0.ranking.expectedRunningTimes[o] != nil } }
        guard !solvers.isEmpty else { return (nil, []) }
        var costs: [[Double]] = [], dropped: [String] = []
        for p in problems {
            let row = solvers.map { p.ranking.expectedRunningTimes[$0]?.value }
            if row.contains(where: { $0 == nil }) {
                dropped.append("\(p.label) (not run by every optimizer)")
            } else if row.allSatisfy({ $0 == .infinity }) {
                dropped.append("\(p.label) (solved by none)")
            } else {
                // A profile needs costs > 0; a run that starts at ε costs nothing.
                costs.append(row.map { max($0!, 1e-12) })
            }
        }
        return (costs.isEmpty ? nil : PerformanceProfile(costs: costs, solvers: solvers), dropped)
    }

    // MARK: table.json

    /// The epoch rankings as `table.json` holds them.
    public struct Document: Codable, Sendable, Equatable {
        public struct Score: Codable, Sendable, Equatable {
            public var optimizer: String
            public var score: Double
            public var rank: Int
        }
        public struct Order: Codable, Sendable, Equatable {
            public var problem: String
            /// Best first.
            public var order: [String]
            /// ERT in epochs of each optimizer of `order`, in that order.
            public var expectedRunningTimes: [Double]
        }
        public var epsilon: Double
        /// The target in the suite's criterion (`StoppingCriterion.targetLabel`); absent in older tables.
        public var label: String?
        public var tauMax: Double
        public var profileProblems: Int
        public var scores: [Score]
        public var orders: [Order]
    }

    /// Target e in the suite's criterion: `ε = e`, `F ≤ e`, `test_accuracy ≥ 1 − e`.
    public func label(_ e: Double) -> String { criterion.targetLabel(e) }

    public var documents: [Document] {
        epochs.map { t in
            Document(epsilon: t.epsilon, label: label(t.epsilon), tauMax: Self.tauMax, profileProblems: t.profile?.problemCount ?? 0,
                     scores: (t.profile?.solvers ?? []).enumerated().map { Document.Score(optimizer: $1, score: t.scores[$0], rank: t.ranks[$0]) },
                     orders: t.problems.map { p in
                         Document.Order(problem: p.label, order: p.ranking.order,
                                        expectedRunningTimes: p.ranking.order.map { p.ranking.expectedRunningTimes[$0]!.value })
                     })
        }
    }
}
