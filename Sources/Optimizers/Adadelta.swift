import OptBenchCore
import OptBenchKernels

/// AdaDelta (Zeiler, 2012), exactly torch.optim.Adadelta's rule, per group:
///
///     g_t = ∇f_{B_t}(θ_{t−1}) + λθ_{t−1}                          (λ = weight_decay)
///     v_t = ρ v_{t−1} + (1 − ρ) g_t ∘ g_t,   v_0 = 0
///     δ_t = √(u_{t−1} + ε) / √(v_t + ε) ∘ g_t,   u_0 = 0
///     u_t = ρ u_{t−1} + (1 − ρ) δ_t ∘ δ_t
///     θ_t = θ_{t−1} − η_t δ_t
///
/// with η_t = lr·s(epoch). Unlike the other adaptive rules, ε sits inside both square roots (as
/// in the paper and torch), which sets the first step's size: δ_1 = √ε / √((1 − ρ)g² + ε) · g.
///
/// Hyper-parameters carry torch's names and defaults; each but `batch_size` and the schedule's
/// may be set per parameter group.
public typealias Adadelta<Scalar: KernelScalar> = ElementwiseOptimizer<AdadeltaRule<Scalar>>

/// torch.optim.Adadelta's element-wise update of one parameter group (see `Adadelta`).
public struct AdadeltaRule<Scalar: KernelScalar>: ElementwiseRule {
    @HyperParameter("lr", range: 0...1e12, "factor η₀ on the step δ")
    public var lr = 1.0
    @HyperParameter("rho", range: 0...1, "decay ρ of both averages")
    public var rho = 0.9
    @HyperParameter("eps", range: 0...1e12, "ε added inside both roots")
    public var eps = 1e-6
    @HyperParameter("weight_decay", range: 0...1e12, "L2 penalty λ added to the gradient")
    public var weightDecay = 0.0

    public init() {}

    /// Rows v and u, torch's square_avg and acc_delta.
    public struct SliceState {
        @usableFromInline var moments: MomentBuffers<Scalar>
    }

    public func makeState(count: Int) -> SliceState {
        SliceState(moments: MomentBuffers(count: count, rows: 2))
    }

    @inlinable
    public func update(_ w: UnsafeMutableBufferPointer<Scalar>, gradient g: UnsafeMutableBufferPointer<Scalar>,
                       state: inout SliceState, context: StepContext) {
        state.moments.update(w, gradient: UnsafeBufferPointer(g), BlockStep(self, context))
    }

    /// Step t on one block: the average, η_t, ε and λ.
    @usableFromInline
    struct BlockStep: MomentUpdate {
        @usableFromInline let average: MovingAverage<Scalar>
        @usableFromInline let eta: Scalar, eps: Scalar, l2: Scalar

        @inlinable
        init(_ rule: AdadeltaRule, _ context: StepContext) {
            average = MovingAverage(decay: rule.rho)
            eta = Scalar(rule.lr * context.scale)
            eps = Scalar(rule.eps)
            l2 = Scalar(rule.weightDecay)
        }

        @inlinable @inline(__always)
        func callAsFunction(_ w: inout Scalar.Vector, _ g: Scalar.Vector, _ s: MomentLanes<Scalar>) {
            let g = l2 == 0 ? g : g.addingProduct(l2, w)
            let v = average.squares(s[0], g)
            s[0] = v
            let delta = (s[1] + eps).squareRoot() / (v + eps).squareRoot() * g
            s[1] = average.squares(s[1], delta)
            w = w.addingProduct(-eta, delta)
        }
    }
}


extension OptimizerEntry {
    /// AdaDelta (`Adadelta`), torch.optim.Adadelta's rule and defaults.
    public static let adadelta = OptimizerEntry(
        name: "adadelta",
        summary: "AdaDelta with torch.optim.Adadelta's ε inside the roots, lr and weight decay",
        elementwise: AdadeltaRule<Float>.self, AdadeltaRule<Double>.self)
}
