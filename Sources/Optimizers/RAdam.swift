import OptBenchCore
import OptBenchKernels

/// RAdam (Liu et al., 2020): Adam whose adaptive step is switched on, and rectified, only once
/// the variance of the adaptive learning rate is tractable; exactly torch.optim.RAdam's rule
/// (torch==2.13.0), per group:
///
///     g_t = ∇f_{B_t}(θ_{t−1}) + λθ_{t−1}            (g_t = ∇f_{B_t} when decoupled)
///     m_t = β₁ m_{t−1} + (1 − β₁) g_t,   v_t = β₂ v_{t−1} + (1 − β₂) g_t ∘ g_t,   m_0 = v_0 = 0
///     ρ_∞ = 2/(1 − β₂) − 1,   ρ_t = ρ_∞ − 2t β₂ᵗ / (1 − β₂ᵗ)
///     r_t = √((ρ_t − 4)(ρ_t − 2) ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2) ρ_t))
///     θ_t = ρ'_t θ_{t−1} − η_t · m_t/(1 − β₁ᵗ) · r_t √(1 − β₂ᵗ) / (√v_t + ε)    if ρ_t > 5
///     θ_t = ρ'_t θ_{t−1} − η_t · m_t/(1 − β₁ᵗ)                               otherwise
///
/// with η_t = lr·s(epoch) and ρ'_t = 1 − η_t λ under `decoupled_weight_decay` (RAdamW), 1
/// otherwise. As in torch, ε is added to √v_t before the bias correction √(1 − β₂ᵗ).
/// Hyper-parameters carry torch's names and defaults; each may be set per group.
public typealias RAdam<Scalar: KernelScalar> = ElementwiseOptimizer<RAdamRule<Scalar>>

/// torch.optim.RAdam's element-wise update of one parameter group (see `RAdam`).
public struct RAdamRule<Scalar: KernelScalar>: ElementwiseRule {
    @HyperParameter("lr", range: 0...1e12, "learning rate η₀")
    public var lr = 1e-3
    @HyperParameter("betas", range: 0...1, "decays β₁,β₂ of the first and second moments, each in [0, 1)")
    public var betas = RealPair(0.9, 0.999)
    @HyperParameter("eps", range: 0...1e12, "ε added to √v (before the bias correction)")
    public var eps = 1e-8
    @HyperParameter("weight_decay", range: 0...1e12, "weight decay λ (L2 in the gradient, or decoupled)")
    public var weightDecay = 0.0
    @HyperParameter("decoupled_weight_decay", "decay θ by 1 − ηλ instead of adding λθ to the gradient (RAdamW)")
    public var decoupledWeightDecay = false

    public init() {}

    public func validate(owner: String) throws(ConfigurationError) { try checkBetas(betas, owner: owner) }

    /// Rows m and v (torch's exp_avg, exp_avg_sq).
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

    /// Step t on one block: the averages, 1/(1 − β₁ᵗ), η_t, the rectified factor r_t √(1 − β₂ᵗ)
    /// (nil while ρ_t ≤ 5), and ρ'_t or λ.
    @usableFromInline
    struct BlockStep: MomentUpdate {
        @usableFromInline let first: MovingAverage<Scalar>, second: MovingAverage<Scalar>
        @usableFromInline let correction: Scalar, eta: Scalar, rectified: Scalar, adaptive: Bool, eps: Scalar
        @usableFromInline let l2: Scalar, keep: Scalar

        @inlinable
        init(_ rule: RAdamRule, _ context: StepContext) {
            let t = Double(context.iteration), eta = rule.lr * context.scale
            let beta2 = rule.betas.second
            let bc1 = BiasCorrection(decay: rule.betas.first, step: context.iteration).factor
            let bc2 = BiasCorrection(decay: beta2, step: context.iteration).factor
            let rhoInf = 2 / (1 - beta2) - 1
            let rhoT = rhoInf - 2 * t * Math.pow(beta2, t) / bc2
            first = MovingAverage(decay: rule.betas.first)
            second = MovingAverage(decay: beta2)
            correction = Scalar(1 / bc1)
            self.eta = Scalar(eta)
            adaptive = rhoT > 5
            let rect = adaptive ? ((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)).squareRoot() : 0
            rectified = Scalar(rect * bc2.squareRoot())
            eps = Scalar(rule.eps)
            l2 = Scalar(rule.decoupledWeightDecay ? 0 : rule.weightDecay)
            keep = Scalar(rule.decoupledWeightDecay ? 1 - eta * rule.weightDecay : 1)
        }

        @inlinable @inline(__always)
        func callAsFunction(_ w: inout Scalar.Vector, _ g: Scalar.Vector, _ s: MomentLanes<Scalar>) {
            let g = l2 == 0 ? g : g.addingProduct(l2, w)
            if keep != 1 { w *= keep }
            let m = first(s[0], g), v = second.squares(s[1], g)
            s[0] = m
            s[1] = v
            let step = m * correction * eta
            if adaptive {
                w -= step * (rectified / (v.squareRoot() + eps))
            } else {
                w -= step
            }
        }
    }
}

extension OptimizerEntry {
    /// RAdam (`RAdam`), torch.optim.RAdam's rule and defaults.
    public static let radam = OptimizerEntry(
        name: "radam",
        summary: "RAdam: Adam with the variance rectification r_t and un-adapted first steps (torch.optim.RAdam)",
        elementwise: RAdamRule<Float>.self, RAdamRule<Double>.self)
}
