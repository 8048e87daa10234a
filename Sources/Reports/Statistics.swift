// Statistics of result tables: expected running time, seeded bootstrap intervals, paired
// comparisons and rankings across targets. Pure functions of per-run outcomes.

import OptBenchHarness
import OptBenchKernels

// MARK: Per-run outcomes

/// What one run (one seed of a problem × optimizer cell) contributes to the statistics.
///
/// `epochsSpent` is the run's whole cost — its budget when it failed, or where it stopped;
/// `epochsToTarget` is the first epoch at which it reached ε, nil when it never did.
public struct RunOutcome: Sendable, Hashable {
    public var seed: UInt64?
    public var epochsSpent: Double
    public var epochsToTarget: Double?

    public init(seed: UInt64? = nil, epochsSpent: Double, epochsToTarget: Double?) {
        precondition(epochsSpent >= 0 && epochsSpent.isFinite, "epochsSpent must be finite and ≥ 0, got \(epochsSpent)")
        if let t = epochsToTarget {
            precondition(t >= 0 && t <= epochsSpent, "epochsToTarget \(t) must lie in [0, epochsSpent = \(epochsSpent)]")
        }
        self.seed = seed
        self.epochsSpent = epochsSpent
        self.epochsToTarget = epochsToTarget
    }

    /// A run that reached ε at `epochs` (and is charged only up to there).
    public static func success(_ epochs: Double, seed: UInt64? = nil) -> RunOutcome {
        RunOutcome(seed: seed, epochsSpent: epochs, epochsToTarget: epochs)
    }

    /// A run that never reached ε within `budget` epochs.
    public static func failure(budget: Double, seed: UInt64? = nil) -> RunOutcome {
        RunOutcome(seed: seed, epochsSpent: budget, epochsToTarget: nil)
    }

    public var reachedTarget: Bool { epochsToTarget != nil }

    /// The epochs this run adds to ERT's numerator: epochs-to-ε if it succeeded, else its budget.
    public var chargedEpochs: Double { epochsToTarget ?? epochsSpent }
}

// MARK: Expected running time

/// COCO's expected running time (Hansen, Auger, Finck & Ros, 2009, "Real-parameter black-box
/// optimization benchmarking 2009: experimental setup", INRIA RR-6828) and the success rate.
///
/// For s runs of which k reached ε, with tᵢ the epochs-to-ε of a success and Tᵢ the whole
/// budget of a failure:
///
///     ERT = (Σ_{successes} tᵢ + Σ_{failures} Tᵢ) / k   = mean(t) + (s − k)/k · mean(T)
///     success rate = k / s
///
/// ERT is the expected cost of reaching ε by restarting independent runs until one succeeds.
/// When no run succeeded (k = 0) `value` is +∞ rather than nil, so that it orders after every
/// finite ERT and enters a performance profile as a failure without special cases.
public struct ExpectedRunningTime: Sendable, Hashable {
    /// ERT in epochs; +∞ when no run reached ε.
    public var value: Double
    /// k, the runs that reached ε.
    public var successes: Int
    /// s, all runs.
    public var runs: Int

    /// k / s.
    public var successRate: Double { Double(successes) / Double(runs) }
}

/// COCO's expected running time of a cell's runs; see `ExpectedRunningTime` for the formula.
/// - Precondition: `runs` is not empty.
/// - Complexity: O(s).
public func expectedRunningTime(runs: [RunOutcome]) -> ExpectedRunningTime {
    precondition(!runs.isEmpty, "expected running time needs at least one run")
    var total = 0.0, successes = 0
    for r in runs {
        total += r.chargedEpochs
        if r.reachedTarget { successes += 1 }
    }
    return ExpectedRunningTime(value: ertValue(total: total, successes: successes), successes: successes, runs: runs.count)
}

@inline(__always)
func ertValue(total: Double, successes: Int) -> Double {
    successes == 0 ? .infinity : total / Double(successes)
}

/// The median epochs-to-ε over all runs, a failure counting as +∞ (it is censored: it would
/// have needed more than its budget, so it sorts above every success).
///
///     median(x₁ … x_s),  xᵢ = tᵢ for a success, +∞ for a failure
///
/// It is finite exactly when more than half the runs succeeded; with an even count it is the
/// mean of the two middle values (+∞ if either is). Unlike ERT it ignores how long failures ran.
/// - Precondition: `runs` is not empty.
/// - Complexity: O(s log s).
public func medianEpochsToTarget(runs: [RunOutcome]) -> Double {
    precondition(!runs.isEmpty, "the median needs at least one run")
    return middleOfSorted(runs.map { $0.epochsToTarget ?? .infinity }.sorted())
}

func middleOfSorted(_ s: [Double]) -> Double {
    let n = s.count
    if n % 2 == 1 { return s[n / 2] }
    let a = s[n / 2 - 1], b = s[n / 2]
    return b == .infinity ? .infinity : 0.5 * (a + b)
}


// MARK: Seeded resampling

/// The bootstrap's seeded generator: the suite's xoshiro256** (`Kernels.Xoshiro256`, state
/// filled by SplitMix64 from the seed) with unbiased bounded integers by Lemire's
/// multiply-and-reject, so a Python script can reproduce the stream bit for bit
/// (Tests/Fixtures/make_statistics_fixture.py).
public struct ResamplingGenerator: RandomNumberGenerator, Sendable {
    var rng: Xoshiro256

    public init(seed: UInt64) { rng = Xoshiro256(seed: seed) }

    public mutating func next() -> UInt64 { rng.next() }

    /// Uniform in 0..<bound.
    public mutating func index(below bound: Int) -> Int { rng.nextInt(below: bound) }
}

/// A point estimate with a percentile bootstrap interval at confidence `level`.
public struct ConfidenceInterval: Sendable, Hashable {
    /// The statistic on the original runs.
    public var estimate: Double
    public var lower: Double
    public var upper: Double
    /// e.g. 0.95.
    public var level: Double

    public func contains(_ x: Double) -> Bool { lower <= x && x <= upper }
    public var width: Double { upper - lower }
}

/// How to resample: B resamples, the interval's level, and the generator's seed. The same
/// options on the same runs always give the same interval.
public struct BootstrapOptions: Sendable, Hashable {
    public var resamples: Int
    public var level: Double
    public var seed: UInt64

    /// Defaults: B = 1000, 95 %, seed 0.
    public init(resamples: Int = 1000, level: Double = 0.95, seed: UInt64 = 0) {
        precondition(resamples >= 1, "the bootstrap needs at least one resample")
        precondition(level > 0 && level < 1, "level must lie in (0, 1), got \(level)")
        self.resamples = resamples
        self.level = level
        self.seed = seed
    }
}

/// Percentile bootstrap interval (Efron & Tibshirani, 1993, §13.3) of any statistic of a
/// cell's runs.
///
/// Draw B resamples of s runs with replacement — resample b takes runs i_{b,1} … i_{b,s}, each
/// `index(below: s)` from one `ResamplingGenerator(seed:)`, in that order — evaluate θ̂*_b on
/// each, and report
///
///     [Q((1 − level)/2), Q((1 + level)/2)]  of {θ̂*_1 … θ̂*_B}
///
/// with Q the type-7 quantile (numpy's default). +∞ values (a resample without a success) sort
/// last and are kept, so a cell that rarely succeeds gets an unbounded upper end.
/// - Complexity: O(B·(s + cost of `statistic`) + B log B).
public func bootstrapInterval(
    runs: [RunOutcome], options: BootstrapOptions = BootstrapOptions(),
    statistic: ([RunOutcome]) -> Double
) -> ConfidenceInterval {
    precondition(!runs.isEmpty, "the bootstrap needs at least one run")
    var rng = ResamplingGenerator(seed: options.seed)
    var sample = runs
    var values = [Double]()
    values.reserveCapacity(options.resamples)
    for _ in 0..<options.resamples {
        for i in 0..<runs.count { sample[i] = runs[rng.index(below: runs.count)] }
        values.append(statistic(sample))
    }
    return percentileInterval(estimate: statistic(runs), values: values, level: options.level)
}

func percentileInterval(estimate: Double, values: [Double], level: Double) -> ConfidenceInterval {
    precondition(!values.contains { $0.isNaN }, "a bootstrap statistic was NaN")
    let sorted = values.sorted()
    return ConfidenceInterval(
        estimate: estimate,
        lower: quantileOfSorted(sorted, (1 - level) / 2),
        upper: quantileOfSorted(sorted, (1 + level) / 2),
        level: level)
}

/// Percentile bootstrap interval of COCO's ERT (see `expectedRunningTime` and
/// `bootstrapInterval`). Resamples without a success have ERT = +∞.
public func bootstrapExpectedRunningTime(runs: [RunOutcome], options: BootstrapOptions = BootstrapOptions()) -> ConfidenceInterval {
    bootstrapInterval(runs: runs, options: options) { expectedRunningTime(runs: $0).value }
}

/// Percentile bootstrap interval of the median epochs-to-ε, failures counting as +∞ (see
/// `medianEpochsToTarget` and `bootstrapInterval`).
public func bootstrapMedianEpochsToTarget(runs: [RunOutcome], options: BootstrapOptions = BootstrapOptions()) -> ConfidenceInterval {
    bootstrapInterval(runs: runs, options: options) { medianEpochsToTarget(runs: $0) }
}

// MARK: Paired comparison

/// ERT_a / ERT_b with the conventions the paired comparison needs: x/∞ = 0 for finite x,
/// ∞/y = ∞ for finite y, and ∞/∞ = 1 — neither succeeded, so nothing tells them apart, which
/// pulls the interval towards "no difference" (the safe side for a regression gate); 0/0 = 1
/// likewise (both started at ε, a resample of seeds that reached it at epoch 0).
public func ertRatio(_ a: Double, _ b: Double) -> Double {
    if (a == .infinity && b == .infinity) || (a == 0 && b == 0) { return 1 }
    return a / b
}

/// Two optimizers run on the same seeds, compared by a paired (common-random-numbers)
/// bootstrap of the ratio of their expected running times.
public struct PairedComparison: Sendable, Hashable {
    /// ERT_a / ERT_b with its interval: below 1 means a needs fewer epochs.
    public var ratio: ConfidenceInterval
    /// The relative band around 1 that does not count as a difference (0 = none).
    public var tolerance: Double

    /// True when the whole interval lies outside [1/(1 + tolerance), 1 + tolerance]:
    /// the cells differ beyond the bootstrap's uncertainty (and beyond the tolerance).
    public var differs: Bool { ratio.upper < 1 / (1 + tolerance) || ratio.lower > 1 + tolerance }
    /// a is faster beyond the interval.
    public var aIsFaster: Bool { differs && ratio.upper < 1 }
    /// b is faster beyond the interval.
    public var bIsFaster: Bool { differs && ratio.lower > 1 }
}

/// Paired bootstrap of ERT_a / ERT_b over runs that share seeds: `a[i]` and `b[i]` ran on the
/// same seed (and data, initial point, sampling stream), so each resample draws seed indices
/// i_{b,1} … i_{b,s} once and takes both optimizers' runs at those seeds:
///
///     θ̂*_b = ERT(a[i_{b,1}] … a[i_{b,s}]) / ERT(b[i_{b,1}] … b[i_{b,s}])
///
/// The seed-to-seed variation common to both cancels in the ratio, so the interval is
/// narrower than with independent resampling. Interval and ratio conventions as in
/// `bootstrapInterval` and `ertRatio`.
/// - Precondition: equal, non-zero counts; where both runs carry a seed, the seeds agree.
/// - Complexity: O(B·s + B log B).
public func pairedComparison(
    _ a: [RunOutcome], _ b: [RunOutcome],
    options: BootstrapOptions = BootstrapOptions(), tolerance: Double = 0
) -> PairedComparison {
    precondition(!a.isEmpty && a.count == b.count, "a paired comparison needs the same, non-zero number of runs (\(a.count) vs \(b.count))")
    for (x, y) in zip(a, b) where x.seed != nil && y.seed != nil {
        precondition(x.seed == y.seed, "paired runs must share seeds: \(x.seed!) vs \(y.seed!)")
    }
    precondition(tolerance >= 0, "tolerance must be ≥ 0")
    let n = a.count
    let costA = a.map(\.chargedEpochs), costB = b.map(\.chargedEpochs)
    let hitA = a.map(\.reachedTarget), hitB = b.map(\.reachedTarget)
    var rng = ResamplingGenerator(seed: options.seed)
    var values = [Double]()
    values.reserveCapacity(options.resamples)
    for _ in 0..<options.resamples {
        var totalA = 0.0, totalB = 0.0, kA = 0, kB = 0
        for _ in 0..<n {
            let i = rng.index(below: n)
            totalA += costA[i]; totalB += costB[i]
            if hitA[i] { kA += 1 }
            if hitB[i] { kB += 1 }
        }
        values.append(ertRatio(ertValue(total: totalA, successes: kA), ertValue(total: totalB, successes: kB)))
    }
    let estimate = ertRatio(expectedRunningTime(runs: a).value, expectedRunningTime(runs: b).value)
    return PairedComparison(ratio: percentileInterval(estimate: estimate, values: values, level: options.level), tolerance: tolerance)
}

/// Whether two cells run on the same seeds differ beyond the paired bootstrap interval of
/// ERT_a / ERT_b (see `pairedComparison`): the interval excludes the band
/// [1/(1 + tolerance), 1 + tolerance] around 1.
public func differBeyondConfidenceInterval(
    _ a: [RunOutcome], _ b: [RunOutcome],
    options: BootstrapOptions = BootstrapOptions(), tolerance: Double = 0
) -> Bool {
    pairedComparison(a, b, options: options, tolerance: tolerance).differs
}

// MARK: Rankings across targets

/// One point of a run's trace: the epochs spent so far and the accuracy measure there
/// (e.g. f − f* or ‖∇f‖², smaller is better).
public struct AccuracyPoint: Sendable, Hashable {
    public var epoch: Double
    public var accuracy: Double
    public init(epoch: Double, accuracy: Double) { self.epoch = epoch; self.accuracy = accuracy }
}

/// The first epoch at which the trace reaches accuracy ≤ ε, or nil. The trace is in epoch
/// order; the epoch is that of the recorded point, so it is exact to the trace's resolution.
public func firstEpochReaching(_ epsilon: Double, in trace: [AccuracyPoint]) -> Double? {
    trace.first { $0.accuracy <= epsilon }?.epoch
}

/// The outcome of a traced run at target ε: reached at `firstEpochReaching`, having spent the
/// trace's last epoch in all.
public func runOutcome(trace: [AccuracyPoint], epsilon: Double, seed: UInt64? = nil) -> RunOutcome {
    precondition(!trace.isEmpty, "an empty trace has no outcome")
    return RunOutcome(seed: seed, epochsSpent: trace.last!.epoch, epochsToTarget: firstEpochReaching(epsilon, in: trace))
}

/// The solvers' order at one target ε, from the same traces as every other target.
public struct TargetRanking: Sendable, Hashable {
    public var epsilon: Double
    /// Solver names, best first: by ERT ascending (+∞ last), ties broken by name.
    public var order: [String]
    /// Per solver, the first epoch each seed's run reached ε (nil: never), in seed order.
    public var firstEpochs: [String: [Double?]]
    /// Per solver, the ERT at ε of those runs.
    public var expectedRunningTimes: [String: ExpectedRunningTime]
}

/// Ranks solvers at each target in `epsilons` from one set of traces, so a reader sees whether
/// the order depends on the target (it often does: a fast-start method wins at loose ε, a
/// linearly converging one at tight ε).
///
/// For each ε and solver s with traces over seeds j: t_{s,j}(ε) = first epoch with
/// accuracy ≤ ε; then ERT_s(ε) as in `expectedRunningTime` (a run that never reaches ε is
/// charged its last epoch); the order sorts by ERT_s(ε), then by name.
/// - Parameter traces: solver name → one trace per seed (seeds in the same order for all).
/// - Complexity: O(|ε| · Σ trace lengths + |ε| · S log S).
public func rankingsAcrossTargets(traces: [String: [[AccuracyPoint]]], epsilons: [Double]) -> [TargetRanking] {
    epsilons.map { eps in
        var firsts = [String: [Double?]](), erts = [String: ExpectedRunningTime]()
        for (name, seeds) in traces {
            let outcomes = seeds.map { runOutcome(trace: $0, epsilon: eps) }
            firsts[name] = outcomes.map(\.epochsToTarget)
            erts[name] = expectedRunningTime(runs: outcomes)
        }
        let order = erts.keys.sorted { x, y in
            let ex = erts[x]!.value, ey = erts[y]!.value
            return ex != ey ? ex < ey : x < y
        }
        return TargetRanking(epsilon: eps, order: order, firstEpochs: firsts, expectedRunningTimes: erts)
    }
}

/// True when not every ranking has the same order — the comparison depends on the target.
public func orderDependsOnTarget(_ rankings: [TargetRanking]) -> Bool {
    guard let first = rankings.first else { return false }
    return rankings.contains { $0.order != first.order }
}
