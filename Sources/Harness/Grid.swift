import OptBenchCore
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import OptBenchKernels
import OptBenchOptimizers
import OptBenchProblems

/// The outcome of one cell of a grid, without its trace.
public struct CellSummary: Codable, Sendable {
    public var problem: String
    public var optimizer: String
    public var lr: Double?
    /// The other swept hyper-parameters of the cell as `key=value` words (empty when the
    /// column sweeps lr only).
    public var hyperParameters: [String]
    public var seed: UInt64
    public var status: RunStatus
    public var epochsToTarget: Double?
    public var secondsToTarget: Double?
    /// Accuracy at the last record: relative suboptimality, or relative gradient norm without
    /// F*; nil for a diverged run.
    public var finalAccuracy: Double?
    public var epochs: Double
    public var seconds: Double
    public var steps: Int

    /// Identifies the cell in the resume cache: a digest of everything that determines its
    /// outcome (`Grid.configurationKey`), not the outcome.
    public var key: String

    // Wall seconds are not results: they go to `timings.jsonl`, so `cells.jsonl` changes only
    // when an outcome does.
    enum CodingKeys: String, CodingKey {
        case key, problem, optimizer, lr, hyperParameters, seed, status, epochsToTarget, finalAccuracy, epochs, steps
    }

    public init(key: String, problem: String, optimizer: String, lr: Double?, hyperParameters: [String] = [], seed: UInt64,
                status: RunStatus, epochsToTarget: Double?, secondsToTarget: Double?, finalAccuracy: Double?, epochs: Double,
                seconds: Double, steps: Int) {
        self.key = key
        self.problem = problem
        self.optimizer = optimizer
        self.lr = lr
        self.hyperParameters = hyperParameters
        self.seed = seed
        self.status = status
        self.epochsToTarget = epochsToTarget
        self.secondsToTarget = secondsToTarget
        self.finalAccuracy = finalAccuracy
        self.epochs = epochs
        self.seconds = seconds
        self.steps = steps
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(key: try c.decode(String.self, forKey: .key), problem: try c.decode(String.self, forKey: .problem), optimizer: try c.decode(String.self, forKey: .optimizer),
                  lr: try c.decodeIfPresent(Double.self, forKey: .lr),
                  hyperParameters: try c.decodeIfPresent([String].self, forKey: .hyperParameters) ?? [], seed: try c.decode(UInt64.self, forKey: .seed),
                  status: try c.decode(RunStatus.self, forKey: .status),
                  epochsToTarget: try c.decodeIfPresent(Double.self, forKey: .epochsToTarget), secondsToTarget: nil,
                  finalAccuracy: try c.decodeIfPresent(Double.self, forKey: .finalAccuracy),
                  epochs: try c.decode(Double.self, forKey: .epochs), seconds: 0, steps: try c.decode(Int.self, forKey: .steps))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encode(problem, forKey: .problem)
        try c.encode(optimizer, forKey: .optimizer)
        try c.encodeIfPresent(lr, forKey: .lr)
        if !hyperParameters.isEmpty { try c.encode(hyperParameters, forKey: .hyperParameters) }
        try c.encode(seed, forKey: .seed)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(epochsToTarget, forKey: .epochsToTarget)
        try c.encodeIfPresent(finalAccuracy, forKey: .finalAccuracy)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(steps, forKey: .steps)
    }

    /// The cell's wall seconds, for `timings.jsonl`.
    var timing: CellTiming { CellTiming(key: key, seconds: seconds, secondsToTarget: secondsToTarget) }
}

/// A cell's wall time, kept apart from its outcome (`timings.jsonl`).
struct CellTiming: Codable, Sendable {
    var key: String
    var seconds: Double
    var secondsToTarget: Double?

}

/// How a (problem, optimizer) pair did at its chosen learning rate.
public enum PairStatus: String, Codable, Sendable {
    /// Every seed reached ε.
    case reached
    /// Some seeds reached ε.
    case partial
    /// No seed reached ε within the budget.
    case budget
    /// Every learning rate diverged.
    case diverged
    /// No seed reached ε, and every seed at the chosen rate stopped making progress.
    case stalled
    /// Not run: the optimizer needs what the problem does not offer (`reason`).
    case skipped
}

/// One table cell: a (problem, optimizer) pair at its best sweep point, over the seeds.
public struct PairSummary: Codable, Sendable {
    public var problem: String
    public var optimizer: String
    /// The tuned learning rate (nil when the rule has none).
    public var lr: Double?
    /// The tuned values of the other swept hyper-parameters, as `key=value` words.
    public var hyperParameters: [String] = []
    /// Set when the tuned learning rate is still an end of its sweep after every extension
    /// (`SweepExtension`): a better one may lie beyond.
    public var edge: SweepEdge? = nil
    public var seeds: Int
    public var reached: Int
    public var diverged: Int
    public var medianEpochs: Double?
    public var minEpochs: Double?
    public var maxEpochs: Double?
    public var medianSeconds: Double?
    /// Median final accuracy over the seeds (a diverged seed counts as +∞); nil when skipped.
    public var medianFinalAccuracy: Double?
    public var status: PairStatus
    /// Why a skipped pair was not run.
    public var reason: String?
    /// Every learning rate tried with its seeds' outcomes, for the JSON report.
    public var sweep: [CellSummary]

    // The median seconds are a timing: `timings.csv`, not `table.json`.
    enum CodingKeys: String, CodingKey {
        case problem, optimizer, lr, hyperParameters, edge, seeds, reached, diverged, medianEpochs, minEpochs, maxEpochs, medianFinalAccuracy,
             status, reason, sweep
    }

    init(problem: String, optimizer: String, lr: Double?, hyperParameters: [String] = [], edge: SweepEdge? = nil, seeds: Int, reached: Int,
         diverged: Int, medianEpochs: Double?, minEpochs: Double?, maxEpochs: Double?, medianSeconds: Double?, medianFinalAccuracy: Double?,
         status: PairStatus, reason: String?, sweep: [CellSummary]) {
        self.problem = problem
        self.optimizer = optimizer
        self.lr = lr
        self.hyperParameters = hyperParameters
        self.edge = edge
        self.seeds = seeds
        self.reached = reached
        self.diverged = diverged
        self.medianEpochs = medianEpochs
        self.minEpochs = minEpochs
        self.maxEpochs = maxEpochs
        self.medianSeconds = medianSeconds
        self.medianFinalAccuracy = medianFinalAccuracy
        self.status = status
        self.reason = reason
        self.sweep = sweep
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(problem: try c.decode(String.self, forKey: .problem), optimizer: try c.decode(String.self, forKey: .optimizer),
                  lr: try c.decodeIfPresent(Double.self, forKey: .lr),
                  hyperParameters: try c.decodeIfPresent([String].self, forKey: .hyperParameters) ?? [],
                  edge: try c.decodeIfPresent(SweepEdge.self, forKey: .edge), seeds: try c.decode(Int.self, forKey: .seeds),
                  reached: try c.decode(Int.self, forKey: .reached), diverged: try c.decode(Int.self, forKey: .diverged),
                  medianEpochs: try c.decodeIfPresent(Double.self, forKey: .medianEpochs),
                  minEpochs: try c.decodeIfPresent(Double.self, forKey: .minEpochs), maxEpochs: try c.decodeIfPresent(Double.self, forKey: .maxEpochs),
                  medianSeconds: nil, medianFinalAccuracy: try c.decodeIfPresent(Double.self, forKey: .medianFinalAccuracy),
                  status: try c.decode(PairStatus.self, forKey: .status), reason: try c.decodeIfPresent(String.self, forKey: .reason),
                  sweep: try c.decode([CellSummary].self, forKey: .sweep))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(problem, forKey: .problem)
        try c.encode(optimizer, forKey: .optimizer)
        try c.encodeIfPresent(lr, forKey: .lr)
        if !hyperParameters.isEmpty { try c.encode(hyperParameters, forKey: .hyperParameters) }
        try c.encodeIfPresent(edge, forKey: .edge)
        try c.encode(seeds, forKey: .seeds)
        try c.encode(reached, forKey: .reached)
        try c.encode(diverged, forKey: .diverged)
        try c.encodeIfPresent(medianEpochs, forKey: .medianEpochs)
        try c.encodeIfPresent(minEpochs, forKey: .minEpochs)
        try c.encodeIfPresent(maxEpochs, forKey: .maxEpochs)
        try c.encodeIfPresent(medianFinalAccuracy, forKey: .medianFinalAccuracy)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encode(sweep, forKey: .sweep)
    }

    /// The runs at the tuned point, one per seed.
    public var tunedCells: [CellSummary] { sweep.filter { $0.lr == lr && $0.hyperParameters == hyperParameters } }

    /// `lr=0.1 momentum=0.9`: the tuned values as table cells show them, `†edge` marking an lr
    /// still at the end of its extended sweep; "" when nothing was tuned.
    public var tunedText: String {
        let words = (lr.map { ["lr=\(formatNumber($0))"] } ?? []) + hyperParameters
        return words.joined(separator: " ") + (edge == nil ? "" : " †edge")
    }

    static func skipped(problem: String, optimizer: String, seeds: Int, reason: String) -> PairSummary {
        PairSummary(problem: problem, optimizer: optimizer, lr: nil, seeds: seeds, reached: 0, diverged: 0, medianEpochs: nil,
                    minEpochs: nil, maxEpochs: nil, medianSeconds: nil, medianFinalAccuracy: nil, status: .skipped,
                    reason: reason, sweep: [])
    }
}

/// Runs a suite's full grid, chooses each pair's learning rate, and writes the reports.
///
/// Every problem is built once, before any cell runs, and shared by every worker and both
/// phases (the sweep and the tuned cells' traces): problems hold immutable data, and each run
/// gets its own views and scratch from `AnyProblem.makeObjective()`.
public struct Grid {
    public let suite: Suite
    public var threads: Int
    /// Reuse cells finished by an earlier, interrupted run into the same directory.
    public var resume: Bool
    /// Run only shard `index` (1-based) of `count`: the (problem, optimizer) pairs whose
    /// position among the grid's compatible pairs is index − 1 modulo count, with their sweep
    /// extensions, writing their `cells.jsonl` and `shard.json` but no tables.
    public var shard: (index: Int, count: Int)?
    /// Refuse, naming what is missing, instead of running any cell the cache lacks (`merge`).
    public var requireCached = false
    public var log: @Sendable (String) -> Void

    public init(suite: Suite, threads: Int = 2, resume: Bool = false, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.suite = suite
        self.threads = threads
        self.resume = resume
        self.log = log
    }

    struct Cell: Sendable {
        var problem: Int
        var optimizer: Int
        var point: SweepPoint
        var seed: UInt64
        /// `configurationKey` of the cell ("" for the tuned cells re-run for traces).
        var key = ""
        var lr: Double? { point.lr }
    }

    /// Results the code in this binary produces are keyed by this binary: a digest of the
    /// running executable, so a rebuild that changes any code invalidates the cache and one
    /// that changes nothing (a README edit) keeps it.
    static let codeVersion: String = {
        guard let data = FileManager.default.contents(atPath: "/proc/self/exe") else { return "unknown" }
        return stableDigest(data)
    }()

    /// The cache key of a cell: a digest of every setting of its problem (defaults included)
    /// and optimizer (hyper-parameters, prescribed values, groups, the sweep point), its seed,
    /// the stopping rule and budget, and the code version.
    func configurationKey(problem i: Int, optimizer j: Int, point: SweepPoint, seed: UInt64, theory: TheoryConstants) throws -> String {
        let problem = suite.problems[i], column = suite.optimizers[j]
        let settings = try Parameters(owner: problem.name, declarations: problem.entry.settings, keyValues: problem.settings)
        let hp = try column.parameters(point, theory: theory)
        let rule = suite.rule
        // The column's label and sweep point name the row the cell fills (a `[theory]` column may
        // prescribe exactly a value another column sweeps: same run, different cell).
        let text = ["v2", problem.name, settings.description, column.label, point.lr.map { "\($0)" } ?? "-", point.words.joined(separator: " "),
                    hp.description, column.groups.joined(separator: " "),
                    String(seed), "\(rule.target),\(rule.maxEpochs),\(rule.divergenceFactor),\(rule.maxSteps)" + (rule.criterion == .relative ? "" : ",\(rule.criterion.description)"), Self.codeVersion]
            .joined(separator: "|")
        return stableDigest(Data(text.utf8))
    }

    /// The problems built once, with the time it took.
    public struct Setup: Sendable {
        public let problems: [ProblemInstance]
        public let seconds: Double
    }

    /// Builds every problem of the suite once.
    public func setUp() throws -> Setup {
        let start = DispatchTime.now().uptimeNanoseconds
        var problems: [ProblemInstance] = []
        for spec in suite.problems { problems.append(try spec.make()) }
        return Setup(problems: problems, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
    }

    /// Why optimizer column `j` cannot run on `problem`, or nil; throws on a mistake in the
    /// suite's own definition (an unknown hyper-parameter, say).
    func incompatibility(_ problem: ProblemInstance, optimizer j: Int, point: SweepPoint) throws -> String? {
        let column = suite.optimizers[j]
        let label = column.label
        if let prescribe = column.prescribed {
            // A prescribed column whose problem lacks a constant it needs is not runnable there.
            do { _ = try prescribe(problem.theory) } catch { return error.message }
        }
        let configured: ConfiguredOptimizer
        do {
            configured = try column.make(point, theory: problem.theory)
        } catch {
            // A rule that refuses parameter groups (L-BFGS, as torch's) is not runnable with them.
            guard !column.groups.isEmpty else { throw error }
            var plain = column
            plain.groups = []
            _ = try plain.make(point, theory: problem.theory)
            return "\(label): \(error.message)"
        }
        return try Self.incompatibility(configured, label: label, groups: column.parameterGroups(), problem: problem)
    }

    /// Why `optimizer` (with parameter `groups`) cannot run on `problem`, or nil.
    public static func incompatibility(_ optimizer: ConfiguredOptimizer, label: String, groups: [ParameterGroup],
                                       problem: ProblemInstance) -> String? {
        if let reason = optimizer.requirements.incompatibility(optimizer: label, problem: problem.label, offered: problem.capabilities) {
            return reason
        }
        guard !groups.isEmpty else { return nil }
        guard optimizer.requirements.parameterGroups else { return "\(label) does not take parameter groups" }
        do {
            _ = try ParameterGroup.assignment(of: groups, to: problem.layout)
        } catch {
            return "\(label) on \(problem.label): \(error.message)"
        }
        return nil
    }

    /// Runs every cell not already in `directory`'s cache, extends the sweeps whose best
    /// learning rate is an end (`SweepExtension`), runs the tuned cells again for their traces,
    /// and writes the tables (Markdown, CSV, JSON), rankings, traces and report under `directory`.
    @discardableResult
    public func run(writingTo directory: URL, command: String) throws -> [PairSummary] {
        // Build and validate everything before any cell runs, so a typo costs nothing.
        let setup = try setUp()
        let problems = setup.problems
        log("suite \(suite.name): \(problems.count) problems built once in \(String(format: "%.2f", setup.seconds)) s")
        let problemLabels = suite.problems.map(\.label)
        let optimizerLabels = suite.optimizers.map(\.label)
        var sweeps: [[SweepPoint]] = []
        var baseRates: [[Double]] = []
        var skipped: [[String?]] = []
        for j in suite.optimizers.indices {
            let s = try suite.sweep(for: j)
            sweeps.append(s)
            baseRates.append(try suite.learningRates(for: j).sorted())
            var reasons: [String?] = []
            for problem in problems {
                var reason: String?
                for point in s { if let r = try incompatibility(problem, optimizer: j, point: point) { reason = r; break } }
                reasons.append(reason)
            }
            skipped.append(reasons)
        }

        var cells: [Cell] = []
        for i in suite.problems.indices {
            for j in suite.optimizers.indices where skipped[j][i] == nil {
                for point in sweeps[j] {
                    for seed in suite.seeds {
                        let key = try configurationKey(problem: i, optimizer: j, point: point, seed: seed, theory: problems[i].theory)
                        cells.append(Cell(problem: i, optimizer: j, point: point, seed: seed, key: key))
                    }
                }
            }
        }

        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cache = try CellCache(url: directory.appendingPathComponent("cells.jsonl"), keep: resume)
        let m = suite.optimizers.count
        if let (index, count) = shard {
            // Whole pairs go to a shard, so that it can extend their sweeps as a single run would.
            let pairs = Set(cells.map { $0.problem * m + $0.optimizer }).sorted()
            let position = Dictionary(uniqueKeysWithValues: pairs.enumerated().map { ($1, $0) })
            cells = cells.filter { position[$0.problem * m + $0.optimizer]! % count == index - 1 }
        }
        let todo = cells.filter { cache.done[$0.key] == nil }
        try refuseUncached(todo, of: "\(cells.count) cells", problemLabels: problemLabels, optimizerLabels: optimizerLabels)
        let skippedPairs = skipped.joined().compactMap { $0 }.count
        log("suite \(suite.name): \(cells.count) cells (\(cells.count - todo.count) from the cache), \(skippedPairs) pairs skipped, \(threads) thread(s)")

        let results = runCells(todo, problems: problems, problemLabels: problemLabels, optimizerLabels: optimizerLabels, cache: cache)
        var byKey = cache.done
        for r in results { byKey[r.key] = r }

        // Each pair's cells, base grid first, then the values its sweep was extended by.
        var byPair = [[Cell]](repeating: [], count: suite.problems.count * m)
        for c in cells { byPair[c.problem * m + c.optimizer].append(c) }
        var ranNow = Set(results.map(\.key))
        ranNow.formUnion(try extendSweeps(&byPair, baseRates: baseRates, problems: problems, problemLabels: problemLabels,
                                          optimizerLabels: optimizerLabels, cache: cache, results: &byKey))
        if let (index, count) = shard {
            let held = byPair.joined().compactMap { byKey[$0.key] }
            try cache.finalize(held)
            try ShardMarker(suite: suite.name, index: index, count: count, cells: held.count).write(to: directory)
            log("shard \(index)/\(count) of suite \(suite.name): \(held.count) cells in \(directory.path)")
            return []
        }

        var pairs: [PairSummary] = []
        var tunedCells: [Cell] = []
        for i in suite.problems.indices {
            for j in suite.optimizers.indices {
                if let reason = skipped[j][i] {
                    pairs.append(.skipped(problem: problemLabels[i], optimizer: optimizerLabels[j], seeds: suite.seeds.count, reason: reason))
                    continue
                }
                let pairCells = byPair[i * m + j]
                var pair = Self.summarize(problem: problemLabels[i], optimizer: optimizerLabels[j],
                                          sweep: pairCells.compactMap { byKey[$0.key] }, seeds: suite.seeds.count,
                                          criterion: suite.rule.criterion)
                pair.edge = Self.edge(of: pair, base: baseRates[j])
                pairs.append(pair)
                let point = pairCells.first { $0.lr == pair.lr && $0.point.words == pair.hyperParameters }?.point ?? SweepPoint(lr: pair.lr)
                for seed in suite.seeds { tunedCells.append(Cell(problem: i, optimizer: j, point: point, seed: seed)) }
            }
        }

        try cache.finalize(byPair.joined().compactMap { byKey[$0.key] })
        log("tracing the \(tunedCells.count) tuned cells")
        let traces = run(tunedCells, problems: problems) { _, r in r }
        let traceCells = tunedCells.map { (problem: $0.problem, optimizer: $0.optimizer) }
        let rankings = TargetRankings(suite: suite, problemLabels: problemLabels, optimizerLabels: optimizerLabels,
                                      traces: traces, traceCells: traceCells)
        let noise = TimingNoise(pairs: pairs, seeds: suite.seeds, retimed: traces, ranInThisRun: ranNow)
        let report = ResultReport(suite: suite, command: command, problemLabels: problemLabels, optimizerLabels: optimizerLabels, pairs: pairs,
                                  rankings: rankings)
        try report.write(to: directory)
        try RankingReport(suite: suite, command: command, rankings: rankings, noise: noise).write(to: directory)
        try noise.write(to: directory)
        if suite.optimizers.contains(where: { $0.complexity != nil }) {
            let complexity = ComplexityReport(suite: suite, command: command, problemLabels: problemLabels,
                                              theory: problems.map(\.theory), optimizerLabels: optimizerLabels, pairs: pairs)
            try complexity.write(to: directory)
        } else {
            // The folder holds this suite's files only, even when another suite wrote there before.
            for name in ["complexity.md", "complexity.csv"] { try? FileManager.default.removeItem(at: directory.appendingPathComponent(name)) }
        }
        try TraceWriter.write(traces: traces, cells: traceCells, problems: problemLabels,
                              optimizers: optimizerLabels, seeds: suite.seeds, to: directory)
        try HTMLReport(suite: suite, command: command, problemLabels: problemLabels, optimizerLabels: optimizerLabels, pairs: pairs,
                       traces: traces, traceCells: traceCells, seeds: suite.seeds, rankings: rankings).write(to: directory)
        try Provenance.current(threads: threads).write(to: directory)
        return pairs
    }

    /// Extends, round by round, every pair whose best learning rate (at its best other settings)
    /// is an end of the values tried: one more value beyond that end (`SweepExtension`) for
    /// every seed, until no pair is at an end or each has `SweepExtension.maximumSteps` values
    /// beyond it. The decisions depend on outcomes only, so a rerun or a resume takes the same
    /// ones. Appends the new cells to `byPair` and returns the keys of those run now.
    func extendSweeps(_ byPair: inout [[Cell]], baseRates: [[Double]], problems: [ProblemInstance], problemLabels: [String],
                      optimizerLabels: [String], cache: CellCache, results byKey: inout [String: CellSummary]) throws -> Set<String> {
        let m = suite.optimizers.count
        var ran = Set<String>()
        while true {
            var round: [Cell] = []
            for (index, pairCells) in byPair.enumerated() where !pairCells.isEmpty {
                let i = index / m, j = index % m, base = baseRates[j]
                let sweep = pairCells.compactMap { byKey[$0.key] }
                let pair = Self.summarize(problem: problemLabels[i], optimizer: optimizerLabels[j], sweep: sweep, seeds: suite.seeds.count,
                                          criterion: suite.rule.criterion)
                guard let edge = Self.edge(of: pair, base: base), let lo = base.first, let hi = base.last else { continue }
                let beyond = Set(pair.sweep.filter { $0.hyperParameters == pair.hyperParameters }.compactMap(\.lr)
                    .filter { edge == .low ? $0 < lo : $0 > hi }).count
                guard let lr = SweepExtension.value(beyond: edge, of: base, step: beyond + 1),
                      var point = pairCells.first(where: { $0.point.words == pair.hyperParameters })?.point else { continue }
                point.lr = lr
                for seed in suite.seeds {
                    let key = try configurationKey(problem: i, optimizer: j, point: point, seed: seed, theory: problems[i].theory)
                    round.append(Cell(problem: i, optimizer: j, point: point, seed: seed, key: key))
                }
            }
            guard !round.isEmpty else { return ran }
            let todo = round.filter { byKey[$0.key] == nil }
            try refuseUncached(todo, of: "\(round.count) cells of the extended sweeps", problemLabels: problemLabels,
                               optimizerLabels: optimizerLabels)
            log("extending \(round.count / max(1, suite.seeds.count)) sweep(s) past a winning end: \(round.count) cells (\(round.count - todo.count) from the cache)")
            for r in runCells(todo, problems: problems, problemLabels: problemLabels, optimizerLabels: optimizerLabels, cache: cache) {
                byKey[r.key] = r
                ran.insert(r.key)
            }
            for c in round { byPair[c.problem * m + c.optimizer].append(c) }
        }
    }

    /// With `requireCached` (a merge), refuses when any of `todo` — the cells of `what` that the
    /// cache lacks — would have to run, naming how many and the first.
    func refuseUncached(_ todo: [Cell], of what: String, problemLabels: [String], optimizerLabels: [String]) throws(ConfigurationError) {
        guard requireCached, let first = todo.first else { return }
        throw ConfigurationError(
            "\(todo.count) of \(what) are missing from the shards, e.g. \(problemLabels[first.problem]) × "
            + "\(optimizerLabels[first.optimizer]) \(([first.lr.map { "lr=\(formatNumber($0))" } ?? "lr=-"] + first.point.words).joined(separator: " ")) "
            + "seed \(first.seed); expected the complete shards of suite '\(suite.name)' from this code (the cache key includes the binary)")
    }

    /// The end of its sweep a pair's tuned learning rate sits at, among the rates tried at its
    /// tuned other settings; nil when it lies inside, or the column sweeps fewer than two rates.
    static func edge(of pair: PairSummary, base: [Double]) -> SweepEdge? {
        guard pair.status != .skipped, let lr = pair.lr, base.count >= 2 else { return nil }
        let tried = Set(pair.sweep.filter { $0.hyperParameters == pair.hyperParameters }.compactMap(\.lr)).sorted()
        guard tried.count >= 2 else { return nil }
        return lr == tried.first ? .low : lr == tried.last ? .high : nil
    }

    /// Runs `cells` on `threads` workers pulling from a shared queue and returns `finish`'s
    /// value for each, in order. Every run is a function of its configuration and seed alone,
    /// so the thread count changes no figure but wall time.
    func run<T>(_ cells: [Cell], problems: [ProblemInstance], finish: @escaping @Sendable (Cell, RunResult) -> T) -> [T] {
        let queue = WorkQueue(count: cells.count)
        let results = ResultSlots<T>(count: cells.count)
        let suite = self.suite
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, cells.count))) { _ in
            while let index = queue.next() {
                let c = cells[index]
                let problem = problems[c.problem]
                let result: RunResult
                do {
                    let optimizer = try suite.optimizers[c.optimizer].make(c.point, theory: problem.theory)
                    result = Runner.run(optimizer, on: problem, seed: c.seed, rule: suite.rule)
                } catch {
                    // Unreachable: every column was configured for this problem in run(writingTo:).
                    result = RunResult(status: .skipped, epochsToTarget: nil, records: [], steps: 0, metricNames: [], finalAccuracy: nil)
                }
                results.set(index, finish(c, result))
            }
        }
        return results.values()
    }

    /// Runs the sweep's cells, appending each summary to the cache as it finishes.
    func runCells(_ cells: [Cell], problems: [ProblemInstance], problemLabels: [String], optimizerLabels: [String],
                  cache: CellCache) -> [CellSummary] {
        let progress = WorkQueue(count: cells.count), log = self.log, total = cells.count
        let started = DispatchTime.now().uptimeNanoseconds, interactive = isatty(2) == 1
        return run(cells, problems: problems) { c, r in
            let summary = CellSummary(
                key: c.key, problem: problemLabels[c.problem], optimizer: optimizerLabels[c.optimizer], lr: c.lr,
                hyperParameters: c.point.words, seed: c.seed,
                status: r.status, epochsToTarget: r.epochsToTarget,
                secondsToTarget: r.status == .reached ? r.records.last?.seconds : nil,
                finalAccuracy: r.finalAccuracy, epochs: r.records.last?.epoch ?? 0, seconds: r.records.last?.seconds ?? 0, steps: r.steps)
            cache.append(summary)
            let done = progress.finished()
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) * 1e-9
            let eta = elapsed / Double(done) * Double(total - done)
            let line = String(format: "  %d/%d cells, %.0f s elapsed, ETA %.0f s", done, total, elapsed, eta)
            if interactive {
                // One line rewritten in place on a terminal, with the cell just finished.
                let cell = "\(problemLabels[c.problem]) × \(optimizerLabels[c.optimizer])"
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + line + "  " + cell.prefix(60) + (done == total ? "\n" : "")).utf8))
            } else if done % 50 == 0 || done == total {
                log(line)
            }
            return summary
        }
    }

    /// Picks the sweep point (lr and other settings) that reached ε on the most seeds, then
    /// with the fewest median epochs, then with the median final value nearest ε (the lowest
    /// loss or accuracy measure, the highest metric), the first in sweep order on a tie;
    /// summarises its seeds.
    static func summarize(problem: String, optimizer: String, sweep: [CellSummary], seeds: Int,
                          criterion: StoppingCriterion = .relative) -> PairSummary {
        var groups: [(lr: Double?, words: [String], cells: [CellSummary])] = []
        for c in sweep {
            if let k = groups.firstIndex(where: { $0.lr == c.lr && $0.words == c.hyperParameters }) {
                groups[k].cells.append(c)
            } else {
                groups.append((c.lr, c.hyperParameters, [c]))
            }
        }
        // Unfinished cells rank by how far their final value is from ε: a loss or an accuracy
        // measure the lower the better, a metric (test accuracy, say) the higher.
        let higherIsBetter = if case .metric = criterion { true } else { false }
        func shortfall(_ c: CellSummary) -> Double {
            guard c.status != .diverged, let v = c.finalAccuracy, !v.isNaN else { return .infinity }
            return higherIsBetter ? -v : v
        }
        func rank(_ cells: [CellSummary]) -> (Int, Double, Double) {
            let reached = cells.filter { $0.status == .reached }.count
            let epochs = median(cells.map { $0.epochsToTarget ?? .infinity })
            return (-reached, epochs, median(cells.map(shortfall)))
        }
        guard let best = groups.min(by: { rank($0.cells) < rank($1.cells) }) else {
            return .skipped(problem: problem, optimizer: optimizer, seeds: seeds, reason: "no cell was run")
        }
        let reached = best.cells.compactMap(\.epochsToTarget)
        let diverged = best.cells.filter { $0.status == .diverged }.count
        let everyDiverged = sweep.allSatisfy { $0.status == .diverged }
        let everyStalled = best.cells.allSatisfy { $0.status == .stalled }
        let status: PairStatus = reached.count == best.cells.count ? .reached : everyDiverged ? .diverged
            : !reached.isEmpty ? .partial : everyStalled ? .stalled : .budget
        return PairSummary(
            problem: problem, optimizer: optimizer, lr: best.lr, hyperParameters: best.words, seeds: seeds, reached: reached.count, diverged: diverged,
            medianEpochs: reached.isEmpty ? nil : median(best.cells.map { $0.epochsToTarget ?? .infinity }),
            minEpochs: reached.min(), maxEpochs: reached.count == best.cells.count ? reached.max() : nil,
            medianSeconds: reached.count == best.cells.count ? median(best.cells.compactMap(\.secondsToTarget)) : nil,
            medianFinalAccuracy: (higherIsBetter ? -1 : 1) * median(best.cells.map(shortfall)),
            status: status, reason: nil, sweep: sweep)
    }
}

/// The middle value (mean of the two middle values for an even count).
public func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    guard !s.isEmpty else { return .nan }
    let m = s.count / 2
    return s.count % 2 == 1 ? s[m] : (s[m - 1] == s[m] ? s[m] : (s[m - 1] + s[m]) / 2)
}

/// Hands out indices 0..<count to workers.
final class WorkQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private var finishedCount = 0
    let count: Int
    init(count: Int) { self.count = count }
    func next() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard nextIndex < count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }
    func finished() -> Int {
        lock.lock(); defer { lock.unlock() }
        finishedCount += 1
        return finishedCount
    }
}

/// One slot per work item, each written by exactly one worker.
final class ResultSlots<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: T) { lock.lock(); slots[i] = value; lock.unlock() }
    func values() -> [T] { slots.map { $0! } }
}

/// A 128-bit digest of `data` as 32 hex digits (two FNV-1a passes with different offsets): a
/// stable name for a configuration, the same on every machine and run.
func stableDigest(_ data: Data) -> String {
    var a: UInt64 = 0xcbf2_9ce4_8422_2325, b: UInt64 = 0x6c62_272e_07bb_0142
    for byte in data {
        a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        b = (b ^ UInt64(byte ^ 0x5a)) &* 0x0000_0100_0000_01B3
    }
    func hex(_ v: UInt64) -> String { let s = String(v, radix: 16); return String(repeating: "0", count: 16 - s.count) + s }
    return hex(a) + hex(b)
}
