import OptBenchCore
import OptBenchKernels

/// Lion (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms"): a sign step of an
/// interpolation between the momentum and the gradient; exactly lion-pytorch 0.2.5's
/// `lion_pytorch.Lion` (use_triton=False), per group:
///
///     θ ← (1 − η_t λ') θ
///     θ_t = θ − η_t · sign(β₁ m_{t−1} + (1 − β₁) g_t)          (sign(0) = 0)
///     m_t = β₂ m_{t−1} + (1 − β₂) g_t,   m_0 = 0
///
/// with η_t = lr·s(epoch), g_t = ∇f_{B_t}(θ_{t−1}), λ' = λ (`weight_decay`), or λ/lr₀ under
/// `decoupled_weight_decay` (so the decay is 1 − λ at the constructor's rate). Hyper-parameters
/// carry lion-pytorch's names and defaults; each may be set per group.
public typealias Lion<Scalar: KernelScalar> = ElementwiseOptimizer<LionRule<Scalar>>

/// lion-pytorch's element-wise update of one parameter group (see `Lion`).
public struct LionRule<Scalar: KernelScalar>: ElementwiseRule {
    @HyperParameter("lr", range: 0...1e12, "learning rate η₀")
    public var lr = 1e-4
    @HyperParameter("betas", range: 0...1, "β₁ of the update's interpolation, β₂ of the momentum, each in [0, 1)")
    public var betas = RealPair(0.9, 0.99)
    @HyperParameter("weight_decay", range: 0...1e12, "decoupled weight decay λ: θ ← (1 − ηλ)θ")
    public var weightDecay = 0.0
    @HyperParameter("decoupled_weight_decay", "divide λ by lr₀, so the decay is 1 − λ at the base rate")
    public var decoupledWeightDecay = false

    public init() {}

    public func validate(owner: String) throws(ConfigurationError) { try checkBetas(betas, owner: owner) }

    /// The row m (lion-pytorch's exp_avg).
    public struct SliceState {
        @usableFromInline var moments: MomentBuffers<Scalar>
    }

    public func makeState(count: Int) -> SliceState {
        SliceState(moments: MomentBuffers(count: count, rows: 1))
    }

    @inlinable
    public func update(_ w: UnsafeMutableBufferPointer<Scalar>, gradient g: UnsafeMutableBufferPointer<Scalar>,
                       state: inout SliceState, context: StepContext) {
        state.moments.update(w, gradient: UnsafeBufferPointer(g), BlockStep(self, context))
    }

    /// Step t on one block: the interpolation, the momentum's average, η_t and 1 − η_t λ'.
    @usableFromInline
    struct BlockStep: MomentUpdate {
        @usableFromInline let interpolation: MovingAverage<Scalar>, momentum: MovingAverage<Scalar>
        @usableFromInline let eta: Scalar, keep: Scalar

        @inlinable
        init(_ rule: LionRule, _ context: StepContext) {
            let eta = rule.lr * context.scale
            let decay = rule.decoupledWeightDecay ? (rule.lr == 0 ? 0 : rule.weightDecay / rule.lr) : rule.weightDecay
            interpolation = MovingAverage(decay: rule.betas.first)
            momentum = MovingAverage(decay: rule.betas.second)
            self.eta = Scalar(eta)
            keep = Scalar(1 - eta * decay)
        }

        @inlinable @inline(__always)
        func callAsFunction(_ w: inout Scalar.Vector, _ g: Scalar.Vector, _ s: MomentLanes<Scalar>) {
            if keep != 1 { w *= keep }
            let c = interpolation(s[0], g)
            let sign = c.replacing(with: 1, where: c .> 0).replacing(with: -1, where: c .< 0)   // ±0 and NaN stay
            w -= eta * sign
            s[0] = momentum(s[0], g)
        }
    }
}

extension OptimizerEntry {
    /// Lion (`Lion`), lion-pytorch's rule and defaults.
    public static let lion = OptimizerEntry(
        name: "lion",
        summary: "Lion: sign of an interpolation of momentum and gradient, with decoupled decay (lion-pytorch)",
        elementwise: LionRule<Float>.self, LionRule<Double>.self)
}
