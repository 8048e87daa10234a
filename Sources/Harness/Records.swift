import Foundation
import OptBenchCore

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

    /// Set in an encoder's `userInfo` to leave the key out: `table.json` holds outcomes only,
    /// and a key (which holds the binary's digest) would change it on every code change.
    public static let omitsKey = CodingUserInfoKey(rawValue: "optbench.cellSummary.omitsKey")!

    /// The cell's place in its grid — problem, optimizer, lr, other swept values, seed —
    /// unique within a suite and the same on every build, unlike `key`.
    public var identity: String {
        "\(problem)\u{1F}\(optimizer)\u{1F}\(lr.map { String($0) } ?? "-")\u{1F}\(hyperParameters.joined(separator: " "))\u{1F}\(seed)"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(key: try c.decodeIfPresent(String.self, forKey: .key) ?? "", problem: try c.decode(String.self, forKey: .problem), optimizer: try c.decode(String.self, forKey: .optimizer),
                  lr: try c.decodeIfPresent(Double.self, forKey: .lr),
                  hyperParameters: try c.decodeIfPresent([String].self, forKey: .hyperParameters) ?? [], seed: try c.decode(UInt64.self, forKey: .seed),
                  status: try c.decode(RunStatus.self, forKey: .status),
                  epochsToTarget: try c.decodeIfPresent(Double.self, forKey: .epochsToTarget), secondsToTarget: nil,
                  finalAccuracy: try c.decodeIfPresent(Double.self, forKey: .finalAccuracy),
                  epochs: try c.decode(Double.self, forKey: .epochs), seconds: 0, steps: try c.decode(Int.self, forKey: .steps))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if encoder.userInfo[Self.omitsKey] as? Bool != true { try c.encode(key, forKey: .key) }
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
public struct CellTiming: Codable, Sendable {
    public var key: String
    public var seconds: Double
    public var secondsToTarget: Double?
}

/// How a (problem, optimizer) pair did at its chosen learning rate.
public enum PairStatus: String, Codable, Sendable, CaseIterable {
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

    public init(from decoder: any Decoder) throws { self = try Self.decodeWord(from: decoder) }
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

extension CellSummary: CheckedRecord {
    /// What `Grid` writes: names and a key, a positive finite lr, `key=value` words, finite
    /// epochs ≥ 0, steps ≥ 0, epochs to ε exactly when the status is `reached`, no final
    /// accuracy for a diverged run (a final accuracy may be any number, NaN included: a
    /// relative measure whose starting gap is 0 is 0/0).
    public func check() throws(FieldDefect) {
        try FieldDefect.named(problem, "problem")
        try FieldDefect.named(optimizer, "optimizer")
        try FieldDefect.finite(lr, "lr", atLeast: 0, strictly: true)
        for (i, w) in hyperParameters.enumerated() where !w.contains("=") || w.hasPrefix("=") {
            throw FieldDefect("hyperParameters[\(i)]", jsonQuoted(w), expected: "a key=value word")
        }
        try FieldDefect.finite(epochs, "epochs")
        try FieldDefect.count(steps, "steps", in: 0...Int.max, "a step count ≥ 0")
        try FieldDefect.finite(epochsToTarget, "epochsToTarget")
        if (status == .reached) != (epochsToTarget != nil) {
            throw FieldDefect("epochsToTarget", epochsToTarget.map(formatNumber) ?? "absent",
                              expected: status == .reached ? "the epochs to ε of a reached cell" : "none for status \(status.rawValue)")
        }
        if status == .diverged, let a = finalAccuracy {
            throw FieldDefect("finalAccuracy", formatNumber(a), expected: "none for a diverged cell")
        }
    }
}

/// A line of the resume cache (`cells.jsonl`): a cell with the key it is cached under (the
/// table's cells have none).
public struct CachedCell: CheckedRecord {
    public var cell: CellSummary

    public init(from decoder: any Decoder) throws { cell = try CellSummary(from: decoder) }

    public func check() throws(FieldDefect) {
        try FieldDefect.named(cell.key, "key")
        try cell.check()
    }
}

extension CellTiming: CheckedRecord {
    /// A key and finite seconds ≥ 0.
    public func check() throws(FieldDefect) {
        try FieldDefect.named(key, "key")
        try FieldDefect.finite(seconds, "seconds")
        try FieldDefect.finite(secondsToTarget, "secondsToTarget")
    }
}

extension PairSummary: CheckedRecord {
    /// What `Grid.summarize` writes: at least one seed, counts of seeds within it, finite epochs
    /// ≥ 0 (all three for a `reached` pair), every sweep cell valid, and — unless skipped — a
    /// sweep holding the tuned point.
    public func check() throws(FieldDefect) {
        try FieldDefect.named(problem, "problem")
        try FieldDefect.named(optimizer, "optimizer")
        try FieldDefect.finite(lr, "lr", atLeast: 0, strictly: true)
        try FieldDefect.count(seeds, "seeds", in: 1...Int.max, "at least 1 seed")
        try FieldDefect.count(reached, "reached", in: 0...seeds, "a count in 0…\(seeds) (seeds)")
        try FieldDefect.count(diverged, "diverged", in: 0...seeds, "a count in 0…\(seeds) (seeds)")
        // A pair that reached ε on fewer than half its seeds has an infinite median (`summarize`).
        if !(status == .partial && medianEpochs == .infinity) { try FieldDefect.finite(medianEpochs, "medianEpochs") }
        try FieldDefect.finite(minEpochs, "minEpochs")
        try FieldDefect.finite(maxEpochs, "maxEpochs")
        if status == .reached {
            for (name, v) in [("medianEpochs", medianEpochs), ("minEpochs", minEpochs), ("maxEpochs", maxEpochs)] where v == nil {
                throw FieldDefect(name, "absent", expected: "the epochs of a reached pair")
            }
        }
        try FieldDefect.each(sweep, "sweep")
        guard status != .skipped else { return }
        guard !sweep.isEmpty else { throw FieldDefect("sweep", "[]", expected: "the cells of a pair that ran (status \(status.rawValue))") }
        guard !tunedCells.isEmpty else {
            throw FieldDefect("sweep", "without a cell at the tuned point \(tunedText.isEmpty ? "(none)" : tunedText)",
                              expected: "the tuned point's cells")
        }
    }
}

/// The middle value (mean of the two middle values for an even count).
public func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    guard !s.isEmpty else { return .nan }
    let m = s.count / 2
    return s.count % 2 == 1 ? s[m] : (s[m - 1] == s[m] ? s[m] : (s[m - 1] + s[m]) / 2)
}
