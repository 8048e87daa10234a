import Foundation
import OptBenchCore

/// How much one cell's wall time moves from one timing to the next within a run — the noise
/// band `optbench compare` must clear before it calls a pair slower.
///
/// Every tuned cell is timed twice: in the sweep, and again when it is re-run for its trace,
/// doing exactly the same steps. For each tuned cell c whose two optimizer times t₁, t₂ are both
/// at least `minimumSeconds` (below that the clock's overhead dominates),
///
///     d_c = max(t₁, t₂) / min(t₁, t₂) − 1
///
/// and the run's noise is the `quantile` (type 7, numpy's default) of the d_c. A sweep time read
/// back from the cache (`--resume`) is the earlier run's, so the difference then also holds the
/// drift between the runs; `fromThisRun` counts the cells timed twice in this run. Costs nothing:
/// the second timing is the trace run the report needs anyway. Written as `timings.json`.
public struct TimingNoise: Codable, Sendable, Equatable {
    /// Cells timed twice with both times ≥ `minimumSeconds`.
    public var cells: Int
    /// Of those, the cells whose sweep time was measured in this run.
    public var fromThisRun: Int
    public var quantile: Double
    public var minimumSeconds: Double
    /// The `quantile` of d_c; nil when fewer than `minimumCells` cells qualified.
    public var relativeNoise: Double?
    /// The median of d_c, nil likewise.
    public var medianRelativeDifference: Double?

    public static let minimumCells = 5
    public static let defaultQuantile = 0.9
    public static let defaultMinimumSeconds = 1e-3

    /// The noise from the pairs' tuned cells (their sweep times) and the same cells' trace runs:
    /// `retimed` holds, for each pair that is not skipped, one run per seed in `seeds` order, as
    /// the grid traces them.
    init(pairs: [PairSummary], seeds: [UInt64], retimed: [RunResult], ranInThisRun: Set<String>,
         quantile: Double = defaultQuantile, minimumSeconds: Double = defaultMinimumSeconds) {
        var first: [Double] = [], second: [Double] = [], fresh: [Bool] = []
        var k = 0
        for p in pairs where p.status != .skipped {
            let tuned = p.tunedCells
            for seed in seeds where k < retimed.count {
                defer { k += 1 }
                guard let c = tuned.first(where: { $0.seed == seed }), let t = retimed[k].records.last?.seconds else { continue }
                first.append(c.seconds)
                second.append(t)
                fresh.append(ranInThisRun.contains(c.key))
            }
        }
        self.init(first: first, second: second, fromThisRun: fresh, quantile: quantile, minimumSeconds: minimumSeconds)
    }

    /// The noise of cells timed `first[c]` and `second[c]` seconds.
    public init(first: [Double], second: [Double], fromThisRun: [Bool]? = nil,
                quantile: Double = defaultQuantile, minimumSeconds: Double = defaultMinimumSeconds) {
        precondition(first.count == second.count, "one second timing per first timing")
        var differences: [Double] = [], fresh = 0
        for c in first.indices where first[c] >= minimumSeconds && second[c] >= minimumSeconds {
            differences.append(max(first[c], second[c]) / min(first[c], second[c]) - 1)
            if fromThisRun?[c] ?? true { fresh += 1 }
        }
        differences.sort()
        cells = differences.count
        self.fromThisRun = fresh
        self.quantile = quantile
        self.minimumSeconds = minimumSeconds
        let enough = differences.count >= Self.minimumCells
        relativeNoise = enough ? quantileOfSorted(differences, quantile) : nil
        medianRelativeDifference = enough ? quantileOfSorted(differences, 0.5) : nil
    }

    /// What `timings.md` says about it.
    public func sentences() -> [String] {
        guard let noise = relativeNoise, let median = medianRelativeDifference else {
            return ["Not measured: \(cells) tuned cell(s) took ≥ \(formatNumber(minimumSeconds * 1000)) ms both in the sweep and in the "
                    + "trace run (at least \(Self.minimumCells) are needed); `optbench compare` falls back to its default band."]
        }
        return ["Each tuned cell runs twice, in the sweep and for its trace, doing the same steps. Over the \(cells) cells that took ≥ "
                + "\(formatNumber(minimumSeconds * 1000)) ms both times (\(fromThisRun) timed twice in this run, the others against a "
                + "cached sweep time), the slower timing exceeds the faster by \(String(format: "%.1f", median * 100)) % at the median "
                + "and by \(String(format: "%.1f", noise * 100)) % at the \(String(format: "%.0f", quantile * 100))th percentile: the "
                + "time band `optbench compare` uses (the larger of the two runs')."]
    }

    struct File: Codable, CheckedRecord {
        var noise: TimingNoise

        /// Counts ≥ 0 with `fromThisRun` ≤ `cells`, q ∈ [0, 1], and finite non-negative figures.
        func check() throws(FieldDefect) {
            try FieldDefect.count(noise.cells, "noise.cells", in: 0...Int.max, "a cell count ≥ 0")
            try FieldDefect.count(noise.fromThisRun, "noise.fromThisRun", in: 0...noise.cells, "a count in 0…\(noise.cells) (cells)")
            guard noise.quantile >= 0, noise.quantile <= 1 else {
                throw FieldDefect("noise.quantile", formatNumber(noise.quantile), expected: "a quantile in [0, 1]")
            }
            try FieldDefect.finite(noise.minimumSeconds, "noise.minimumSeconds")
            try FieldDefect.finite(noise.relativeNoise, "noise.relativeNoise")
            try FieldDefect.finite(noise.medianRelativeDifference, "noise.medianRelativeDifference")
        }
    }

    public func write(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try encoder.encode(File(noise: self)).write(to: directory.appendingPathComponent("timings.json"), options: .atomic)
    }

    /// The noise recorded in `directory/timings.json`, nil when there is none; a file that is
    /// not what `write` writes is an error naming it.
    public static func read(_ directory: URL) throws(ConfigurationError) -> TimingNoise? {
        let file = directory.appendingPathComponent("timings.json")
        guard let data = FileManager.default.contents(atPath: file.path) else { return nil }
        return try read(from: data, file: file.path)
    }

    /// The noise of a `timings.json` held in `data`; `file` names it in errors.
    public static func read(from data: Data, file: String) throws(ConfigurationError) -> TimingNoise {
        try RecordFile.read(File.self, from: data, file: file).noise
    }
}
