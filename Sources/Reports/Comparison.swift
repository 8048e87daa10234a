import OptBenchHarness
import OptBenchCore
import Foundation

/// The regression gate: what changed between a baseline results folder and a new one of the
/// same suite, pair by pair (`optbench compare BASELINE NEW`).
///
/// A pair regresses when it newly fails (fewer seeds reach ε, or it now diverges, stalls or is
/// skipped), or when its epochs to ε got worse: exactly, for a deterministic pair (every seed
/// took the same epochs in both runs), and beyond the 95 % paired-bootstrap interval of the
/// ERT ratio (seeds paired, 1000 resamples) for a stochastic one. Its time regresses when its
/// fastest new seed is slower than its slowest baseline seed by more than the time band: the
/// larger of the two runs' measured timing noise (`TimingNoise`, `timings.json`), unless a band
/// is given, and `defaultTimeBand` when neither run measured one. Times under
/// `TimingNoise.defaultMinimumSeconds` are not compared (the clock's overhead dominates them).
/// Fewer epochs, or more seeds reaching ε, is an improvement.
public struct Comparison: Sendable {
    public enum Verdict: String, Sendable { case equal, improved, regressed }

    public struct Change: Sendable {
        public var problem: String
        public var optimizer: String
        public var verdict: Verdict
        public var what: String
    }

    public var suite: String
    public var changes: [Change]
    public var unchanged: Int
    /// The relative time band used, and where it came from; nil when time was not compared.
    public var timeBand: (value: Double, source: String)?

    /// The band when neither run measured its noise and none is given.
    public static let defaultTimeBand = 0.5

    public var regressed: Bool { changes.contains { $0.verdict == .regressed } }

    /// Compares the folders; a missing or unreadable table, or two different suites, is a
    /// `ConfigurationError` naming the file. `timeBand` nil: the runs' measured noise.
    public init(baseline: URL, new: URL, timeBand: Double? = nil, compareTime: Bool = true) throws(ConfigurationError) {
        try self.init(baseline: Self.load(baseline), new: Self.load(new), timeBand: timeBand, compareTime: compareTime)
    }

    /// Compares two folders already read back.
    public init(baseline a: ResultsFolder, new b: ResultsFolder, timeBand: Double? = nil, compareTime: Bool = true) throws(ConfigurationError) {
        guard a.document.suite == b.document.suite else {
            throw ConfigurationError("\(b.path)/table.json is suite '\(b.document.suite)'; expected '\(a.document.suite)' as in \(a.path)")
        }
        guard a.document.maxEpochs == b.document.maxEpochs, a.document.target == b.document.target, a.document.seeds == b.document.seeds else {
            throw ConfigurationError("\(b.path)/table.json has another budget, target or seeds than \(a.path); expected the same suite definition")
        }
        suite = a.document.suite
        changes = []
        unchanged = 0
        let budget = a.document.maxEpochs
        let band = Self.band(given: timeBand, baseline: a.noise, new: b.noise)
        self.timeBand = compareTime ? band : nil
        for old in a.document.pairs {
            guard let current = b.document.pairs.first(where: { $0.problem == old.problem && $0.optimizer == old.optimizer }) else {
                changes.append(Change(problem: old.problem, optimizer: old.optimizer, verdict: .regressed, what: "missing from the new tables"))
                continue
            }
            var found = Self.outcomeChange(old, current, budget: budget)
            if found == nil, compareTime {
                found = Self.timeChange(old, current, a.timings, b.timings, band: band.value)
            }
            if let (verdict, what) = found {
                changes.append(Change(problem: old.problem, optimizer: old.optimizer, verdict: verdict, what: what))
            } else {
                unchanged += 1
            }
        }
        for extra in b.document.pairs where !a.document.pairs.contains(where: { $0.problem == extra.problem && $0.optimizer == extra.optimizer }) {
            changes.append(Change(problem: extra.problem, optimizer: extra.optimizer, verdict: .improved, what: "new pair: \(extra.status.rawValue)"))
        }
    }

    /// The band: the one given, else the larger measured noise of the two runs, else the default.
    static func band(given: Double?, baseline: TimingNoise?, new: TimingNoise?) -> (value: Double, source: String) {
        if let given { return (given, "given") }
        let measured = [baseline?.relativeNoise, new?.relativeNoise].compactMap { $0 }
        guard let noise = measured.max() else { return (defaultTimeBand, "default: neither run measured its timing noise") }
        return (noise, measured.count == 2 ? "the larger of the two runs' measured noise" : "the one run's measured noise")
    }

    /// `lr=0.1 momentum=0.9`, or `-` without tuned values.
    static func tuned(_ p: PairSummary) -> String {
        let words = (p.lr.map { ["lr=\(formatNumber($0))"] } ?? []) + p.hyperParameters
        return words.isEmpty ? "-" : words.joined(separator: " ")
    }

    /// The outcome part of the verdict, or nil when the outcomes are the same.
    static func outcomeChange(_ old: PairSummary, _ new: PairSummary, budget: Double) -> (Verdict, String)? {
        if new.status == .skipped || old.status == .skipped {
            if new.status == old.status { return nil }
            return new.status == .skipped ? (.regressed, "now skipped: \(new.reason ?? "")") : (.improved, "now runs: \(new.status.rawValue)")
        }
        if new.reached != old.reached {
            return new.reached < old.reached
                ? (.regressed, "reached on \(new.reached)/\(new.seeds) seeds, was \(old.reached)/\(old.seeds) (\(new.status.rawValue))")
                : (.improved, "reached on \(new.reached)/\(new.seeds) seeds, was \(old.reached)/\(old.seeds)")
        }
        if new.status == .diverged && old.status != .diverged { return (.regressed, "now diverges") }
        if new.status != old.status { return (new.status == .reached ? .improved : .regressed, "status \(old.status.rawValue) → \(new.status.rawValue)") }
        let before = runs(old, budget: budget), after = runs(new, budget: budget)
        let retuned = old.lr != new.lr || old.hyperParameters != new.hyperParameters
        guard before.map(\.epochsToTarget) != after.map(\.epochsToTarget) || retuned else { return nil }
        let deterministic = Set(before.map(\.epochsToTarget)).count <= 1 && Set(after.map(\.epochsToTarget)).count <= 1
        let ertOld = expectedRunningTime(runs: before).value, ertNew = expectedRunningTime(runs: after).value
        let text = "epochs to ε \(formatNumber(ertOld)) → \(formatNumber(ertNew)) (ERT"
            + (tuned(old) != tuned(new) ? ", \(tuned(old)) → \(tuned(new))" : retuned ? ", tuned values moved below print precision" : "") + ")"
        if deterministic || before.map(\.seed) != after.map(\.seed) {
            if ertNew == ertOld { return (.equal, text + ", per-seed epochs moved") }
            return ertNew > ertOld ? (.regressed, text) : (.improved, text)
        }
        let paired = pairedComparison(after, before)
        if paired.aIsFaster { return (.improved, text + ", beyond the 95 % interval") }
        if paired.bIsFaster { return (.regressed, text + ", beyond the 95 % interval") }
        return (.equal, text + ", within the 95 % interval")
    }

    /// The tuned learning rate's runs, by seed: epochs to ε, or a failure charged its whole run.
    static func runs(_ p: PairSummary, budget: Double) -> [RunOutcome] {
        p.tunedCells.sorted { $0.seed < $1.seed }.map { c in
            c.epochsToTarget.map { RunOutcome.success($0, seed: c.seed) } ?? RunOutcome.failure(budget: max(c.epochs, budget), seed: c.seed)
        }
    }

    static func timeChange(_ old: PairSummary, _ new: PairSummary, _ a: [String: Double], _ b: [String: Double],
                           band: Double) -> (Verdict, String)? {
        let before = old.tunedCells.compactMap { a[$0.identity] }
        let after = new.tunedCells.compactMap { b[$0.identity] }
        guard let slowestBefore = before.max(), let fastestAfter = after.min(), slowestBefore >= TimingNoise.defaultMinimumSeconds else { return nil }
        guard fastestAfter > slowestBefore * (1 + band) else { return nil }
        return (.regressed, String(format: "time: fastest seed %.3g s against the baseline's slowest %.3g s (band %.0f %%)",
                                   fastestAfter, slowestBefore, band * 100))
    }

    /// `table.json`, the per-cell seconds and the timing noise of a results folder.
    static func load(_ folder: URL) throws(ConfigurationError) -> ResultsFolder {
        try ResultsFolder.read(folder)
    }

    /// The report `optbench compare` prints.
    public var report: String {
        var lines = ["compare suite '\(suite)': \(changes.filter { $0.verdict == .regressed }.count) regressed, "
                     + "\(changes.filter { $0.verdict == .improved }.count) improved, "
                     + "\(unchanged + changes.filter { $0.verdict == .equal }.count) unchanged"
                     + (timeBand.map { "; time band " + String(format: "%.1f", $0.value * 100) + " % (\($0.source))" } ?? "; time not compared")]
        for c in changes.sorted(by: { ($0.verdict == .regressed ? 0 : 1, $0.problem, $0.optimizer) < ($1.verdict == .regressed ? 0 : 1, $1.problem, $1.optimizer) }) {
            lines.append("  \(c.verdict.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(c.problem) × \(c.optimizer): \(c.what)")
        }
        return lines.joined(separator: "\n")
    }
}
