/// The mini-batch B_t an optimizer draws its gradient from: |B_t| samples drawn without
/// replacement, `0` for the full gradient ∇F, or `auto` for the problem's own mini-batch — in
/// torch the batch belongs to the data loader, so a network problem declares one (its
/// `batch_size` setting) and a classical problem declares none, leaving the rule's own
/// default (the survey's one-sample SGD, the full gradient of GD and of the adaptive rules).
public enum BatchSize: ParameterType, Hashable, CustomStringConvertible {
    /// The problem's mini-batch, else the rule's own default.
    case auto
    /// |B_t| samples; 0 is the full gradient.
    case samples(Int)

    public static var parameterKind: ParameterKind { .integerOrAuto }

    public init?(_ value: ParameterValue) {
        switch value {
        case .integer(let n): self = .samples(n)
        case .text("auto"): self = .auto
        default: return nil
        }
    }

    public var parameterValue: ParameterValue {
        switch self {
        case .auto: .text("auto")
        case .samples(let n): .integer(n)
        }
    }

    public var description: String {
        switch self {
        case .auto: "auto"
        case .samples(let n): String(n)
        }
    }

    /// |B_t| for a problem of n samples whose own mini-batch is `problem` (nil: none):
    /// `samples(b)` is b as written; `auto` is the problem's mini-batch — the full gradient (0)
    /// when it holds every sample — else `fallback`.
    public func resolved(problem: Int?, sampleCount: Int, fallback: Int) -> Int {
        switch self {
        case .samples(let b): b
        case .auto: problem.map { $0 >= sampleCount ? 0 : $0 } ?? fallback
        }
    }
}
