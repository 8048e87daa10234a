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

/// The middle value (mean of the two middle values for an even count).
public func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    guard !s.isEmpty else { return .nan }
    let m = s.count / 2
    return s.count % 2 == 1 ? s[m] : (s[m - 1] == s[m] ? s[m] : (s[m - 1] + s[m]) / 2)
}
