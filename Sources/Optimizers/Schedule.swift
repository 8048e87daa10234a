import Core

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// A learning-rate schedule: the step size at progress t (in epochs, as the harness counts
/// them; for full-gradient methods t is the iteration count) is η_t = η₀·s(t).
public enum Schedule: Sendable, Equatable, CustomStringConvertible {
    /// s(t) = 1.
    case constant
    /// s(t) = γ^⌊t/k⌋: torch's StepLR stepped once per epoch (k = `step_size`, γ = `gamma`).
    case step(every: Int, gamma: Double)
    /// s(t) = 1/(1 + t)^α, the Robbins–Monro family (α ∈ (½, 1] gives Σηₜ = ∞, Σηₜ² < ∞).
    case inversePower(alpha: Double)

    public func callAsFunction(_ t: Double) -> Double {
        switch self {
        case .constant: 1
        case .step(let k, let gamma): pow(gamma, (t / Double(k)).rounded(.down))
        case .inversePower(let alpha): 1 / pow(1 + t, alpha)
        }
    }

    public var description: String {
        switch self {
        case .constant: "constant"
        case .step(let k, let gamma): "step(step_size=\(k),gamma=\(formatShort(gamma)))"
        case .inversePower(let alpha): "inverse-power(power=\(formatShort(alpha)))"
        }
    }

    /// Hyper-parameters every scheduled optimizer accepts.
    public static let parameters: [ParameterSpec] = [
        .choice("schedule", ["constant", "step", "inverse-power"], default: "constant",
                "learning-rate schedule η_t = lr·s(t), t in epochs"),
        .integer("step_size", 10, range: 1...1e9, "step schedule: epochs between decays"),
        .real("gamma", 0.1, range: 0...1, "step schedule: decay factor"),
        .real("power", 1, range: 0...10, "inverse-power schedule: exponent α in 1/(1+t)^α"),
    ]

    public init(_ p: Parameters) {
        switch p.text("schedule") {
        case "step": self = .step(every: p.integer("step_size"), gamma: p.real("gamma"))
        case "inverse-power": self = .inversePower(alpha: p.real("power"))
        default: self = .constant
        }
    }
}
