import OptBenchCore
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import OptBenchKernels
import OptBenchOptimizers
import OptBenchProblems

/// Runs a suite's full grid and chooses each pair's learning rate; `OptBenchReports` writes
/// the tables from its `GridOutcome`.
///
/// Every problem is built once, before any cell runs, and shared by every worker and both
/// phases (the sweep and the tuned cells' traces): problems hold immutable data, and each run
/// gets its own views and scratch from `AnyProblem.makeObjective()`.
public struct Grid {
    public let suite: Suite
    public var jobs: Int
    /// Reuse cells finished by an earlier, interrupted run into the same directory.
    public var resume: Bool
    /// Run only shard `index` (1-based) of `count`: the (problem, optimizer) pairs whose
    /// position among the grid's compatible pairs is index − 1 modulo count, with their sweep
    /// extensions, writing their `cells.jsonl` and `shard.json` but no tables. A shard beyond
    /// the number of pairs holds none: it runs nothing and writes an empty `cells.jsonl`, which
    /// `merge` reads as a shard that contributes no cell.
    public var shard: (index: Int, count: Int)?
    /// Refuse, naming what is missing, instead of running any cell the cache lacks (`merge`).
    public var requireCached = false
    public var log: @Sendable (String) -> Void

    public init(suite: Suite, jobs: Int = 2, resume: Bool = false, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.suite = suite
        self.jobs = jobs
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

    /// The problems built once, with the time it took and their memory estimates.
    public struct Setup: Sendable {
        public let problems: [ProblemInstance]
        public let seconds: Double
        public let memory: [MemoryEstimate?]
    }

    /// The problems' memory estimates, checked together: the problems are all kept while
    /// `jobs` runs proceed at once, so the grid needs
    /// max(Σ kept + the largest construction, Σ kept + jobs·(the largest run)),
    /// refused when it exceeds `limit`, before any problem is built.
    public func memory(limit: Int = MemoryEstimate.available) throws -> [MemoryEstimate?] {
        var estimates: [MemoryEstimate?] = []
        for spec in suite.problems {
            let m = try spec.entry.memory(spec.settings)
            try m?.check(problem: spec.name, settings: spec.settings.changed, limit: limit)
            estimates.append(m)
        }
        let known = estimates.compactMap { $0 }
        let (kept, need) = MemoryEstimate.peak(of: known, runs: jobs)
        guard need <= limit else {
            throw ConfigurationError(
                "suite '\(suite.name)': its \(known.count) problems keep about \(MemoryEstimate.format(kept)) and \(jobs) concurrent runs "
                + "bring it to about \(MemoryEstimate.format(need)) (\(need) bytes); this machine allows \(MemoryEstimate.format(limit)) (\(limit) bytes); expected fewer jobs or smaller problems")
        }
        return estimates
    }

    /// Builds every problem of the suite once, after checking their memory estimates.
    public func setUp() throws -> Setup {
        let start = DispatchTime.now().uptimeNanoseconds
        let memory = try self.memory()
        for (spec, m) in zip(suite.problems, memory) {
            log("suite \(suite.name): \(spec.label): memory " + (m.map { "about \($0)" + ($0.note.map { "; \($0)" } ?? "") } ?? "not estimated"))
        }
        var problems: [ProblemInstance] = []
        for spec in suite.problems { problems.append(try spec.make()) }
        if case .metric(let name) = suite.rule.criterion {
            for (spec, problem) in zip(suite.problems, problems) where !problem.metricNames.contains(name) {
                let known = problem.metricNames.isEmpty ? "none" : problem.metricNames.joined(separator: ", ")
                throw ConfigurationError("suite '\(suite.name)': stop.criterion metric:\(name): problem \(spec.label) has no metric '\(name)'; its metrics: \(known)")
            }
        }
        return Setup(problems: problems, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9, memory: memory)
    }

    /// Why optimizer column `j` cannot run on `problem`, or nil; throws on a mistake in the
    /// suite's own definition (an unknown hyper-parameter, say).
    func incompatibility(_ problem: ProblemInstance, optimizer j: Int, point: SweepPoint) throws -> String? {
        let column = suite.optimizers[j]
        let label = column.label
        // A prescribed column whose problem lacks a constant it needs is not runnable there.
        for (_, expression) in column.prescribed {
            do { _ = try expression.value(for: problem.theory, user: label) } catch { return error.message }
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
        return Self.incompatibility(configured, label: label, groups: column.groups, problem: problem)
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

    /// Runs every cell not already in `directory`'s cache (`cells.jsonl`, `timings.jsonl`),
    /// extends the sweeps whose best learning rate is an end (`SweepExtension`) and runs the
    /// tuned cells again for their traces. A shard writes its cells and `shard.json` and returns
    /// nil; a whole grid returns what the reports are written from.
    public func run(in directory: URL) throws -> GridOutcome? {
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
            let s = suite.sweep(for: j)
            sweeps.append(s)
            baseRates.append(suite.learningRates(for: j).sorted())
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
            if cells.isEmpty {
                log("shard \(index)/\(count) of suite \(suite.name) holds no cell: the grid's \(pairs.count) runnable pairs fill shards 1…\(min(pairs.count, count)); writing an empty shard")
            }
        }
        let todo = cells.filter { cache.done[$0.key] == nil }
        try refuseUncached(todo, of: "\(cells.count) cells", problemLabels: problemLabels, optimizerLabels: optimizerLabels)
        let skippedPairs = skipped.joined().compactMap { $0 }.count
        log("suite \(suite.name): \(cells.count) cells (\(cells.count - todo.count) from the cache), \(skippedPairs) pairs skipped, \(jobs) job(s)")

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
            try ShardMarker(suite: suite.name, index: index, count: count, cells: held.count).write(to: directory, definition: suite.canonicalDefinition)
            log("shard \(index)/\(count) of suite \(suite.name): \(held.count) cells in \(directory.path)")
            return nil
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
                pair.edge = Self.edge(of: pair, base: baseRates[j], criterion: suite.rule.criterion)
                pairs.append(pair)
                let point = pairCells.first { $0.lr == pair.lr && $0.point.words == pair.hyperParameters }?.point ?? SweepPoint(lr: pair.lr)
                for seed in suite.seeds { tunedCells.append(Cell(problem: i, optimizer: j, point: point, seed: seed)) }
            }
        }

        try cache.finalize(byPair.joined().compactMap { byKey[$0.key] })
        log("tracing the \(tunedCells.count) tuned cells")
        let traces = run(tunedCells, problems: problems) { _, r in r }
        let traceCells = tunedCells.map { (problem: $0.problem, optimizer: $0.optimizer) }
        let noise = TimingNoise(pairs: pairs, seeds: suite.seeds, retimed: traces, ranInThisRun: ranNow)
        return GridOutcome(suite: suite, problemLabels: problemLabels, optimizerLabels: optimizerLabels, theory: problems.map(\.theory),
                           pairs: pairs, traces: traces, traceCells: traceCells, noise: noise, jobs: jobs)
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
                guard let edge = Self.edge(of: pair, base: base, criterion: suite.rule.criterion), let lo = base.first, let hi = base.last else { continue }
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

    /// Runs `cells` on `jobs` workers pulling from a shared queue and returns `finish`'s
    /// value for each, in order. Every run is a function of its configuration and seed alone,
    /// so the thread count changes no figure but wall time.
    func run<T>(_ cells: [Cell], problems: [ProblemInstance], finish: @escaping @Sendable (Cell, RunResult) -> T) -> [T] {
        let queue = WorkQueue(count: cells.count)
        let results = ResultSlots<T>(count: cells.count)
        let suite = self.suite
        DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, cells.count))) { _ in
            while let index = queue.next() {
                let c = cells[index]
                let problem = problems[c.problem]
                let result: RunResult
                do {
                    let optimizer = try suite.optimizers[c.optimizer].make(c.point, theory: problem.theory)
                    result = Runner.run(optimizer, on: problem, seed: c.seed, rule: suite.rule)
                } catch {
                    // Unreachable: every column was configured for this problem in run(in:).
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
        let progress = ProgressEstimate(cells: cells.map { ($0.problem, $0.optimizer) }), log = self.log, total = cells.count
        let started = DispatchTime.now().uptimeNanoseconds, interactive = isatty(2) == 1
        return run(cells, problems: problems) { c, r in
            let summary = CellSummary(
                key: c.key, problem: problemLabels[c.problem], optimizer: optimizerLabels[c.optimizer], lr: c.lr,
                hyperParameters: c.point.words, seed: c.seed,
                status: r.status, epochsToTarget: r.epochsToTarget,
                secondsToTarget: r.status == .reached ? r.records.last?.seconds : nil,
                finalAccuracy: r.finalAccuracy, epochs: r.records.last?.epoch ?? 0, seconds: r.records.last?.seconds ?? 0, steps: r.steps)
            cache.append(summary)
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) * 1e-9
            let (done, eta) = progress.finished((c.problem, c.optimizer), cost: r.records.last?.seconds ?? 0, elapsed: elapsed)
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
}

/// What a grid measured: each pair's summary at its tuned point, and the tuned cells' traces
/// (one per seed, `traceCells` saying whose), with the timing noise the run measured.
public struct GridOutcome: Sendable {
    public let suite: Suite
    public let problemLabels: [String]
    public let optimizerLabels: [String]
    /// Each problem's theory constants, in row order.
    public let theory: [TheoryConstants]
    public let pairs: [PairSummary]
    public let traces: [RunResult]
    public let traceCells: [(problem: Int, optimizer: Int)]
    public let noise: TimingNoise
    /// Cells run in parallel.
    public let jobs: Int
}
