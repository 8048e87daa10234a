import OptBenchCore
import OptBenchKernels

/// Rprop (Riedmiller & Braun, 1993): a per-entry step size grown while the gradient keeps its
/// sign and shrunk when it flips, with only the sign of the gradient used; exactly
/// torch.optim.Rprop's rule (torch==2.13.0, the iRprop⁻ variant), per entry:
///
///     σ_t = sign(g_t · g'_{t−1}),   f_t = η₊ if σ_t > 0, η₋ if σ_t < 0, 1 otherwise
///     s_t = clamp(s_{t−1} f_t, s_min, s_max),   s_0 = lr
///     g'_t = 0 where f_t = η₋, else g_t            (g'_0 = 0)
///     θ_t = θ_{t−1} − sign(g'_t) s_t
///
/// with (η₋, η₊) = `etas` and (s_min, s_max) = `step_sizes`. As in torch, `lr` only sets the
/// initial step size s_0: a schedule does not scale the steps. Hyper-parameters carry torch's
/// names and defaults; each may be set per group.
public typealias Rprop<Scalar: KernelScalar> = ElementwiseOptimizer<RpropRule<Scalar>>

/// torch.optim.Rprop's element-wise update of one parameter group (see `Rprop`).
public struct RpropRule<Scalar: KernelScalar>: ElementwiseRule {
    @HyperParameter("lr", range: 0...1e12, "initial per-entry step size s₀")
    public var lr = 1e-2
    @HyperParameter("etas", range: 0...1e12, "factors η₋,η₊ of the step size on a sign change / no change, 0 < η₋ < 1 < η₊")
    public var etas = RealPair(0.5, 1.2)
    @HyperParameter("step_sizes", range: 0...1e300, "bounds s_min,s_max of the per-entry step size")
    public var stepSizes = RealPair(1e-6, 50)

    public init() {}

    public func validate(owner: String) throws(ConfigurationError) {
        guard 0 < etas.first, etas.first < 1, etas.second > 1 else {
            throw ConfigurationError("\(owner): etas=\(etas) is out of range; expected 0 < η₋ < 1 < η₊")
        }
        guard stepSizes.first <= stepSizes.second else {
            throw ConfigurationError("\(owner): step_sizes=\(stepSizes) is out of order; expected s_min ≤ s_max")
        }
    }

    /// Rows g' and s (torch's prev, step_size), read from the second step on.
    public struct SliceState {
        @usableFromInline var rows: MomentBuffers<Scalar>
        @usableFromInline var started = false
    }

    public func makeState(count: Int) -> SliceState {
        SliceState(rows: MomentBuffers(count: count, rows: 2))
    }

    @inlinable
    public func update(_ w: UnsafeMutableBufferPointer<Scalar>, gradient g: UnsafeMutableBufferPointer<Scalar>,
                       state: inout SliceState, context: StepContext) {
        state.rows.update(w, gradient: UnsafeBufferPointer(g), BlockStep(self, first: !state.started))
        state.started = true
    }

    /// The factors and bounds, as vectors; on the first step g'_0 = 0 and s_0 = lr stand in for the rows.
    @usableFromInline
    struct BlockStep: MomentUpdate {
        @usableFromInline let minus: Scalar, plus: Scalar, lower: Scalar.Vector, upper: Scalar.Vector
        @usableFromInline let first: Bool, initial: Scalar.Vector

        @inlinable
        init(_ rule: RpropRule, first: Bool) {
            self.first = first
            initial = Scalar.Vector(repeating: Scalar(rule.lr))
            minus = Scalar(rule.etas.first)
            plus = Scalar(rule.etas.second)
            lower = Scalar.Vector(repeating: Scalar(rule.stepSizes.first))
            upper = Scalar.Vector(repeating: Scalar(rule.stepSizes.second))
        }

        @inlinable @inline(__always)
        func callAsFunction(_ w: inout Scalar.Vector, _ g: Scalar.Vector, _ s: MomentLanes<Scalar>) {
            let product = first ? Scalar.Vector() : g * s[0]
            let factor = Scalar.Vector(repeating: 1).replacing(with: plus, where: product .> 0).replacing(with: minus, where: product .< 0)
            let size = pointwiseMin(pointwiseMax((first ? initial : s[1]) * factor, lower), upper)
            let kept = g.replacing(with: 0, where: factor .== Scalar.Vector(repeating: minus))
            let sign = kept.replacing(with: 1, where: kept .> 0).replacing(with: -1, where: kept .< 0)   // ±0 and NaN stay
            s[0] = kept
            s[1] = size
            w -= sign * size
        }
    }
}

extension OptimizerEntry {
    /// Rprop (`Rprop`), torch.optim.Rprop's rule and defaults.
    public static let rprop = OptimizerEntry(
        name: "rprop",
        summary: "Rprop: sign steps with per-entry sizes grown by η₊ and shrunk by η₋ on a sign change (torch.optim.Rprop)",
        elementwise: RpropRule<Float>.self, RpropRule<Double>.self)
}
