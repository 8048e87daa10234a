import OptBenchHarness
import OptBenchCore
import Foundation

/// A suite's results folder as `optbench compare` and `optbench index` read it back:
/// `table.json`, and beside it (untracked, optional) the wall seconds of `timings.jsonl` by
/// cache key, the cache `cells.jsonl` that gives each key's place in the grid, and the timing
/// noise of `timings.json` — each checked field by field (`RecordFile`), so that a defect is an
/// error naming the file and field rather than a wrong verdict or a trap. A last line cut short
/// (a later run interrupted) is left out, as `--resume` does.
public struct ResultsFolder: Sendable {
    public var path: String
    var document: ResultReport.Document
    /// Wall seconds by the cell's place in the grid (`CellSummary.identity`); empty without
    /// `timings.jsonl` and `cells.jsonl`.
    var timings: [String: Double]
    var noise: TimingNoise?

    /// The folder from its files' contents (nil: the file is absent); `path` names them in errors.
    public init(path: String, table: Data, timings: Data?, cells: Data?, noise: Data?) throws(ConfigurationError) {
        self.path = path
        document = try RecordFile.read(ResultReport.Document.self, from: table, file: "\(path)/table.json")
        var byKey: [String: Double] = [:], seconds: [String: Double] = [:]
        if let timings {
            for t in try RecordFile.lines(CellTiming.self, from: timings, file: "\(path)/timings.jsonl", tornEnd: true).records {
                byKey[t.key] = t.seconds
            }
        }
        if let cells {
            for c in try RecordFile.lines(CachedCell.self, from: cells, file: "\(path)/cells.jsonl", tornEnd: true).records {
                if let t = byKey[c.cell.key] { seconds[c.cell.identity] = t }
            }
        }
        self.timings = seconds
        self.noise = try noise.map { (d) throws(ConfigurationError) in try TimingNoise.read(from: d, file: "\(path)/timings.json") }
    }

    /// The folder at `folder`; a missing `table.json` is an error naming it.
    public static func read(_ folder: URL) throws(ConfigurationError) -> ResultsFolder {
        let fm = FileManager.default
        let file = folder.appendingPathComponent("table.json")
        guard let table = fm.contents(atPath: file.path) else {
            throw ConfigurationError("file \(file.path): does not exist or cannot be read; expected a results folder written by 'optbench bench'")
        }
        func beside(_ name: String) -> Data? { fm.contents(atPath: folder.appendingPathComponent(name).path) }
        return try ResultsFolder(path: folder.path, table: table, timings: beside("timings.jsonl"), cells: beside("cells.jsonl"),
                                 noise: beside("timings.json"))
    }
}

extension ResultReport.Document: CheckedRecord {
    /// What `ResultReport.json` writes: a suite name, a finite target ε ≥ 0 and budget > 0,
    /// seeds, positive finite learning rates, each pair checked (`PairSummary.check`) with the
    /// document's seed count and once per (problem, optimizer), and well-formed rankings.
    func check() throws(FieldDefect) {
        try FieldDefect.named(suite, "suite")
        try FieldDefect.finite(target, "target", atLeast: nil)
        try FieldDefect.finite(maxEpochs, "maxEpochs", atLeast: 0, strictly: true)
        guard !seeds.isEmpty else { throw FieldDefect("seeds", "[]", expected: "at least one seed") }
        for (i, lr) in learningRates.enumerated() { try FieldDefect.finite(lr, "learningRates[\(i)]", atLeast: 0, strictly: true) }
        try FieldDefect.each(pairs, "pairs")
        var seen = Set<[String]>()
        for (i, p) in pairs.enumerated() {
            guard p.seeds == seeds.count else {
                throw FieldDefect("pairs[\(i)].seeds", String(p.seeds), expected: "\(seeds.count), the count of the document's seeds")
            }
            guard seen.insert([p.problem, p.optimizer]).inserted else {
                throw FieldDefect("pairs[\(i)]", "\(p.problem) × \(p.optimizer) again", expected: "each problem × optimizer pair once")
            }
        }
        try FieldDefect.each(rankings ?? [], "rankings")
    }
}

extension TargetRankings.Document: CheckedRecord {
    /// A finite ε, τ_max ≥ 1, counts ≥ 0, finite scores with ranks ≥ 1, and one ERT ≥ 0 per
    /// optimizer of each order.
    public func check() throws(FieldDefect) {
        try FieldDefect.finite(epsilon, "epsilon", atLeast: nil)
        try FieldDefect.finite(tauMax, "tauMax", atLeast: 1)
        try FieldDefect.count(profileProblems, "profileProblems", in: 0...Int.max, "a count ≥ 0")
        for (i, s) in scores.enumerated() {
            try FieldDefect.named(s.optimizer, "scores[\(i)].optimizer")
            try FieldDefect.finite(s.score, "scores[\(i)].score", atLeast: nil)
            try FieldDefect.count(s.rank, "scores[\(i)].rank", in: 1...Int.max, "a rank ≥ 1")
        }
        for (i, o) in orders.enumerated() {
            guard o.order.count == o.expectedRunningTimes.count else {
                throw FieldDefect("orders[\(i)].expectedRunningTimes", "\(o.expectedRunningTimes.count) values",
                                  expected: "\(o.order.count), one per optimizer of order")
            }
            for (k, e) in o.expectedRunningTimes.enumerated() where !(e >= 0) {
                throw FieldDefect("orders[\(i)].expectedRunningTimes[\(k)]", formatNumber(e), expected: "an ERT ≥ 0 (inf when never reached)")
            }
        }
    }
}
