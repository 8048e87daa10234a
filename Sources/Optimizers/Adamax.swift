import OptBenchCore
import OptBenchKernels

/// Adamax (Kingma & Ba, 2015, §7.1): Adam with the infinity norm in place of the second moment,
/// exactly torch.optim.Adamax's rule (torch==2.13.0), per group:
///
///     g_t = ∇f_{B_t}(θ_{t−1}) + λθ_{t−1}            (λ = weight_decay)
///     m_t = β₁ m_{t−1} + (1 − β₁) g_t,   u_t = max(β₂ u_{t−1}, |g_t| + ε),   m_0 = u_0 = 0
///     θ_t = θ_{t−1} − (η_t / (1 − β₁ᵗ)) · m_t / u_t
///
/// with η_t = lr·s(epoch). As in torch, ε is added to |g_t| inside the maximum (torch's exp_inf),
/// so u_t ≥ ε. Hyper-parameters carry torch's names and defaults; each may be set per group.
public typealias Adamax<Scalar: KernelScalar> = ElementwiseOptimizer<AdamaxRule<Scalar>>

/// torch.optim.Adamax's element-wise update of one parameter group (see `Adamax`).
public struct AdamaxRule<Scalar: KernelScalar>: ElementwiseRule {
    @HyperParameter("lr", range: 0...1e12, "learning rate η₀")
    public var lr = 2e-3
    @HyperParameter("betas", range: 0...1, "decays β₁ of the mean and β₂ of the infinity norm, each in [0, 1)")
    public var betas = RealPair(0.9, 0.999)
    @HyperParameter("eps", range: 0...1e12, "ε added to |g| inside the maximum")
    public var eps = 1e-8
    @HyperParameter("weight_decay", range: 0...1e12, "L2 weight decay λ added to the gradient")
    public var weightDecay = 0.0

    public init() {}

    public func validate(owner: String) throws(ConfigurationError) { try checkBetas(betas, owner: owner) }

    /// Rows m and u (torch's exp_avg, exp_inf).
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

    /// Step t on one block: the mean's average, β₂, η_t/(1 − β₁ᵗ), ε and λ.
    @usableFromInline
    struct BlockStep: MomentUpdate {
        @usableFromInline let first: MovingAverage<Scalar>
        @usableFromInline let normDecay: Scalar, stepSize: Scalar, eps: Scalar, l2: Scalar

        @inlinable
        init(_ rule: AdamaxRule, _ context: StepContext) {
            let eta = rule.lr * context.scale
            first = MovingAverage(decay: rule.betas.first)
            normDecay = Scalar(rule.betas.second)
            stepSize = Scalar(eta / BiasCorrection(decay: rule.betas.first, step: context.iteration).factor)
            eps = Scalar(rule.eps)
            l2 = Scalar(rule.weightDecay)
        }

        @inlinable @inline(__always)
        func callAsFunction(_ w: inout Scalar.Vector, _ g: Scalar.Vector, _ s: MomentLanes<Scalar>) {
            let g = l2 == 0 ? g : g.addingProduct(l2, w)
            let m = first(s[0], g)
            let u = Scalar.maximumOfNonNegative(normDecay * s[1], Scalar.magnitude(g) + eps)
            s[0] = m
            s[1] = u
            w -= stepSize * (m / u)
        }
    }
}

extension OptimizerEntry {
    /// Adamax (`Adamax`), torch.optim.Adamax's rule and defaults.
    public static let adamax = OptimizerEntry(
        name: "adamax",
        summary: "Adamax: Adam with an infinity-norm denominator max(β₂u, |g| + ε) (torch.optim.Adamax)",
        elementwise: AdamaxRule<Float>.self, AdamaxRule<Double>.self)
}
