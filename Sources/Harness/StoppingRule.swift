/// When a run stops: at the target accuracy ε, at the epoch budget, or on divergence.
///
/// The accuracy measured against ε is the relative suboptimality (F − F*)/(F₀ − F*) when F* is
/// known, otherwise the relative gradient norm ‖∇F‖/‖∇F₀‖. A run diverges when the loss or the
/// iterate stops being finite, or when F − F_ref exceeds `divergenceFactor`·(F₀ − F_ref), with
/// F_ref = F* when known and 0 otherwise (every loss here is non-negative).
public struct StoppingRule: Sendable, Equatable {
    public var target: Double
    public var maxEpochs: Double
    public var divergenceFactor: Double
    /// A guard against rules that stall without charging: at most this many steps.
    public var maxSteps: Int

    public init(target: Double = 1e-6, maxEpochs: Double = 100, divergenceFactor: Double = 1e4, maxSteps: Int = 100_000_000) {
        self.target = target
        self.maxEpochs = maxEpochs
        self.divergenceFactor = divergenceFactor
        self.maxSteps = maxSteps
    }
}

/// How a run ended.
public enum RunStatus: String, Sendable, Codable {
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
}
