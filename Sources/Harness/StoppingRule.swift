/// What a run's target ε is a target of.
public enum StoppingCriterion: Sendable, Equatable, Hashable {
    /// Accuracy ≤ ε: the relative suboptimality (F − F*)/(F₀ − F*) when F* is known, otherwise
    /// the relative gradient norm ‖∇F‖/‖∇F₀‖.
    case relative
    /// The training loss F ≤ ε (networks, whose F* is unknown).
    case loss
    /// A problem metric ≥ ε, e.g. `test_accuracy` ≥ 0.95.
    case metric(String)

    /// `relative`, `loss` or `metric:NAME`, as cache keys and tables write it.
    public var description: String {
        switch self {
        case .relative: "relative"
        case .loss: "loss"
        case .metric(let name): "metric:\(name)"
        }
    }

    /// What the criterion measures, by name: (F − F*)/(F₀ − F*) when F* is known, else
    /// ‖∇F‖/‖∇F₀‖; the training loss F; the metric's name.
    public func measure(optimalValueKnown: Bool) -> String {
        switch self {
        case .relative: optimalValueKnown ? "(F − F*)/(F₀ − F*)" : "‖∇F‖/‖∇F₀‖"
        case .loss: "training loss F"
        case .metric(let name): name
        }
    }

    /// A ranking target e in the criterion's own words: `ε = 1e-05` (relative), `F ≤ 0.2`
    /// (loss), `test_accuracy ≥ 0.6` for a metric, whose rankings compare the error 1 − metric
    /// with e.
    public func targetLabel(_ e: Double) -> String {
        switch self {
        case .relative: "ε = \(formatNumber(e))"
        case .loss: "F ≤ \(formatNumber(e))"
        case .metric(let name): "\(name) ≥ \(formatNumber(Double(String(format: "%.12g", 1 - e))!))"
        }
    }

    /// What a record must reach at a ranking target, in words: `accuracy ≤ ε`, `training loss ≤
    /// the target`, `test_accuracy ≥ the target`.
    public var reachSentence: String {
        switch self {
        case .relative: "accuracy ≤ ε (relative suboptimality where F* is known, else relative gradient norm)"
        case .loss: "training loss F ≤ the target"
        case .metric(let name): "\(name) ≥ the target"
        }
    }

    /// `≤` (relative, loss) or `≥` (a metric): how the measure meets ε.
    public var comparison: String {
        if case .metric = self { return "≥" }
        return "≤"
    }

    /// `F ≤ ε`, `test_accuracy ≥ ε` or `accuracy ≤ ε`, for headings.
    public func target(_ epsilon: String) -> String {
        switch self {
        case .relative: "ε = \(epsilon)"
        case .loss: "training loss ≤ \(epsilon)"
        case .metric(let name): "\(name) ≥ \(epsilon)"
        }
    }
}

/// When a run stops: at the target ε of its criterion, at the epoch budget, or on divergence.
///
/// By default the accuracy measured against ε is the relative suboptimality (F − F*)/(F₀ − F*)
/// when F* is known, otherwise the relative gradient norm ‖∇F‖/‖∇F₀‖; the criterion may instead
/// be the training loss itself or a problem metric (`StoppingCriterion`). A run diverges when the loss or the
/// iterate stops being finite, or when F − F_ref exceeds `divergenceFactor`·(F₀ − F_ref), with
/// F_ref = F* when known and 0 otherwise (every loss here is non-negative).
public struct StoppingRule: Sendable, Equatable {
    public var target: Double
    public var maxEpochs: Double
    public var divergenceFactor: Double
    /// A guard against rules that stall without charging: at most this many steps.
    public var maxSteps: Int
    public var criterion: StoppingCriterion

    public init(target: Double = 1e-6, maxEpochs: Double = 100, divergenceFactor: Double = 1e4, maxSteps: Int = 100_000_000,
                criterion: StoppingCriterion = .relative) {
        self.criterion = criterion
        self.target = target
        self.maxEpochs = maxEpochs
        self.divergenceFactor = divergenceFactor
        self.maxSteps = maxSteps
    }
}

/// How a run ended.
public enum RunStatus: String, Sendable, Codable, CaseIterable {
    /// Accuracy ≤ ε.
    case reached
    /// The epoch budget ran out first.
    case budget
    /// NaN/Inf or a loss blown past the divergence factor.
    case diverged
    /// The rule stopped making progress short of ε: a step that evaluates nothing (it
    /// considers itself converged) or takes no step at all.
    case stalled
    /// Not run: the optimizer needs something the problem does not offer (the cell's reason says what).
    case skipped

    public init(from decoder: any Decoder) throws { self = try Self.decodeWord(from: decoder) }
}
