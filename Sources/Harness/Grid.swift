import Core
import Foundation
import Optimizers
import Problems

/// The outcome of one cell of a grid, without its trace.
public struct CellSummary: Codable, Sendable {
    public var problem: String
    public var optimizer: String
    public var lr: Double?
    public var seed: UInt64
    public var status: RunStatus
    public var epochsToTarget: Double?
    public var secondsToTarget: Double?
    /// Accuracy at the last record: relative suboptimality, or relative gradient norm without F*.
    public var finalAccuracy: Double
    public var epochs: Double
    public var seconds: Double
    public var steps: Int

    /// Identifies the cell in the resume cache: configuration, not outcome.
    var key: String { Self.key(problem: problem, optimizer: optimizer, lr: lr, seed: seed) }

    static func key(problem: String, optimizer: String, lr: Double?, seed: UInt64) -> String {
        "\(problem)|\(optimizer)|\(lr.map { "\($0)" } ?? "-")|\(seed)"
    }
}

/// One table cell: a (problem, optimizer) pair at its best learning rate, over the seeds.
public struct PairSummary: Codable, Sendable {
    public var problem: String
    public var optimizer: String
    /// The tuned learning rate (nil when the rule has none).
    public var lr: Double?
    public var seeds: Int
    public var reached: Int
    public var diverged: Int
    public var medianEpochs: Double?
    public var minEpochs: Double?
    public var maxEpochs: Double?
    public var medianSeconds: Double?
    public var medianFinalAccuracy: Double
    /// `reached` (every seed), `partial`, `budget` or `diverged` (every learning rate diverged).
    public var status: String
    /// Every learning rate tried with its seeds' outcomes, for the JSON report.
    public var sweep: [CellSummary]
}

/// Runs a suite's full grid, chooses each pair's learning rate, and writes the reports.
public struct Grid {
    public let suite: Suite
    public var threads: Int
    /// Reuse cells finished by an earlier, interrupted run into the same directory.
    public var resume: Bool
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
        var lr: Double?
        var seed: UInt64
    }

    /// Runs every cell not already in `directory`'s cache, then the tuned cells again for their
    /// traces, and writes the table (Markdown, CSV, JSON) and traces under `directory`.
    @discardableResult
    public func run(writingTo directory: URL, command: String) throws -> [PairSummary] {
        // Validate every name and setting before any work, so a typo costs nothing.
        var problemLabels: [String] = []
        var properties: [[String: Double]] = []
        for spec in suite.problems {
            let problem = try spec.make()
            problemLabels.append(spec.label)
            properties.append(Dictionary(problem.properties.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }))
        }
        var sweeps: [[Double?]] = []
        for (j, spec) in suite.optimizers.enumerated() {
            let s = try suite.sweep(for: j)
            for lr in s { for props in properties { _ = try spec.make(lr: lr, properties: props) } }
            sweeps.append(s)
        }
        let optimizerLabels = suite.optimizers.map(\.label)

        var cells: [Cell] = []
        for i in suite.problems.indices {
            for j in suite.optimizers.indices {
                for lr in sweeps[j] { for seed in suite.seeds { cells.append(Cell(problem: i, optimizer: j, lr: lr, seed: seed)) } }
            }
        }

        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cache = try CellCache(url: directory.appendingPathComponent("cells.jsonl"), keep: resume)
        let todo = cells.filter { cache.done[key($0, problemLabels, optimizerLabels)] == nil }
        log("suite \(suite.name): \(cells.count) cells (\(cells.count - todo.count) from the cache), \(threads) thread(s)")

        let results = try runCells(todo, problemLabels: problemLabels, optimizerLabels: optimizerLabels, properties: properties, cache: cache)
        var byKey = cache.done
        for r in results { byKey[r.key] = r }

        var pairs: [PairSummary] = []
        var tunedCells: [Cell] = []
        for i in suite.problems.indices {
            for j in suite.optimizers.indices {
                var sweep: [CellSummary] = []
                for c in cells where c.problem == i && c.optimizer == j { sweep.append(byKey[key(c, problemLabels, optimizerLabels)]!) }
                let pair = Self.summarize(problem: problemLabels[i], optimizer: optimizerLabels[j], sweep: sweep, seeds: suite.seeds.count)
                pairs.append(pair)
                for seed in suite.seeds { tunedCells.append(Cell(problem: i, optimizer: j, lr: pair.lr, seed: seed)) }
            }
        }

        log("tracing the \(tunedCells.count) tuned cells")
        let traces = try traceCells(tunedCells, properties: properties)
        let report = ResultReport(suite: suite, command: command, problemLabels: problemLabels, optimizerLabels: optimizerLabels, pairs: pairs)
        try report.write(to: directory)
        if suite.optimizers.contains(where: { $0.complexity != nil }) {
            let complexity = ComplexityReport(suite: suite, command: command, problemLabels: problemLabels, properties: properties,
                                              optimizerLabels: optimizerLabels, pairs: pairs)
            try complexity.write(to: directory)
        }
        try TraceWriter.write(traces: traces, problems: problemLabels, optimizers: optimizerLabels, seeds: suite.seeds, to: directory)
        return pairs
    }

    func key(_ c: Cell, _ problems: [String], _ optimizers: [String]) -> String {
        CellSummary.key(problem: problems[c.problem], optimizer: optimizers[c.optimizer], lr: c.lr, seed: c.seed)
    }

    /// Runs `cells` on `threads` workers pulling from a shared queue and returns `finish`'s
    /// value for each, in order. Each worker builds its own problem instances (problems keep
    /// scratch buffers); every run is a function of its configuration and seed alone, so the
    /// thread count changes no figure but wall time.
    func run<T>(_ cells: [Cell], properties: [[String: Double]], finish: @escaping @Sendable (Cell, RunResult) -> T) -> [T] {
        let queue = WorkQueue(count: cells.count)
        let results = ResultSlots<T>(count: cells.count)
        let suite = self.suite
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, cells.count))) { _ in
            var problems: [Int: any Problem] = [:]
            while let index = queue.next() {
                let c = cells[index]
                let problem = problems[c.problem] ?? (try! suite.problems[c.problem].make())  // validated in run(writingTo:)
                problems[c.problem] = problem
                let optimizer = try! suite.optimizers[c.optimizer].make(lr: c.lr, properties: properties[c.problem])
                results.set(index, finish(c, Runner.run(optimizer, on: problem, seed: c.seed, rule: suite.rule)))
            }
        }
        return results.values()
    }

    /// Runs the sweep's cells, appending each summary to the cache as it finishes.
    func runCells(_ cells: [Cell], problemLabels: [String], optimizerLabels: [String], properties: [[String: Double]],
                  cache: CellCache) throws -> [CellSummary] {
        let progress = WorkQueue(count: cells.count), log = self.log, total = cells.count
        return run(cells, properties: properties) { c, r in
            let summary = CellSummary(
                problem: problemLabels[c.problem], optimizer: optimizerLabels[c.optimizer], lr: c.lr, seed: c.seed,
                status: r.status, epochsToTarget: r.epochsToTarget,
                secondsToTarget: r.status == .reached ? r.final.seconds : nil,
                finalAccuracy: r.finalAccuracy, epochs: r.final.epoch, seconds: r.final.seconds, steps: r.steps)
            cache.append(summary)
            let done = progress.finished()
            if done % 50 == 0 || done == total { log("  \(done)/\(total) cells") }
            return summary
        }
    }

    /// Runs the tuned cells again, keeping their whole traces.
    func traceCells(_ cells: [Cell], properties: [[String: Double]]) throws -> [RunResult] {
        run(cells, properties: properties) { _, r in r }
    }

    /// Picks the learning rate that reached ε on the most seeds, then with the fewest median
    /// epochs, then with the lowest median final accuracy; summarises its seeds.
    static func summarize(problem: String, optimizer: String, sweep: [CellSummary], seeds: Int) -> PairSummary {
        var groups: [(lr: Double?, cells: [CellSummary])] = []
        for c in sweep {
            if let k = groups.firstIndex(where: { $0.lr == c.lr }) { groups[k].cells.append(c) } else { groups.append((c.lr, [c])) }
        }
        func rank(_ cells: [CellSummary]) -> (Int, Double, Double) {
            let reached = cells.filter { $0.status == .reached }.count
            let epochs = median(cells.map { $0.epochsToTarget ?? .infinity })
            let acc = median(cells.map { $0.status == .diverged ? .infinity : $0.finalAccuracy })
            return (-reached, epochs, acc)
        }
        let best = groups.min { rank($0.cells) < rank($1.cells) }!
        let reached = best.cells.compactMap(\.epochsToTarget)
        let diverged = best.cells.filter { $0.status == .diverged }.count
        let everyDiverged = sweep.allSatisfy { $0.status == .diverged }
        let status = reached.count == best.cells.count ? "reached" : everyDiverged ? "diverged" : reached.isEmpty ? "budget" : "partial"
        return PairSummary(
            problem: problem, optimizer: optimizer, lr: best.lr, seeds: seeds, reached: reached.count, diverged: diverged,
            medianEpochs: reached.isEmpty ? nil : median(best.cells.map { $0.epochsToTarget ?? .infinity }),
            minEpochs: reached.min(), maxEpochs: reached.count == best.cells.count ? reached.max() : nil,
            medianSeconds: reached.count == best.cells.count ? median(best.cells.compactMap(\.secondsToTarget)) : nil,
            medianFinalAccuracy: median(best.cells.map { $0.status == .diverged ? .infinity : $0.finalAccuracy }),
            status: status, sweep: sweep)
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
