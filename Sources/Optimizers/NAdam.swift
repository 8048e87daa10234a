import OptBenchCore
import OptBenchKernels

/// NAdam (Dozat, 2016): Adam with Nesterov momentum, exactly torch.optim.NAdam's rule, per group:
///
///     g_t = ∇f_{B_t}(θ_{t−1}) + λθ_{t−1}            (g_t = ∇f_{B_t} when decoupled)
///     μ_t = β₁ (1 − ½·0.96^{tψ}),   Π_t = μ_1 μ_2 ⋯ μ_t          (ψ = momentum_decay)
///     m_t = β₁ m_{t−1} + (1 − β₁) g_t,   v_t = β₂ v_{t−1} + (1 − β₂) g_t ∘ g_t,   m_0 = v_0 = 0
///     d_t = √(v_t / (1 − β₂ᵗ)) + ε
///     θ_t = ρ_t θ_{t−1} − η_t (1 − μ_t)/(1 − Π_t) · g_t / d_t − η_t μ_{t+1}/(1 − Π_t μ_{t+1}) · m_t / d_t
///
/// with η_t = lr·s(epoch) and ρ_t = 1 − η_t λ under `decoupled_weight_decay` (torch's NAdamW),
/// 1 otherwise. The μ-product Π_t is torch's `mu_product`, kept per parameter group in float64.
/// Unlike Adam, ε is added after the root of the corrected v (torch's `denom`), and the first
/// moment is never bias-corrected by 1 − β₁ᵗ: the μ-product plays that part.
///
/// Hyper-parameters carry torch's names and defaults; each but `batch_size` and the schedule's
/// may be set per parameter group.
public typealias NAdam<Scalar: KernelScalar> = ElementwiseOptimizer<NAdamRule<Scalar>>

/// torch.optim.NAdam's element-wise update of one parameter group (see `NAdam`).
public struct NAdamRule<Scalar: KernelScalar>: ElementwiseRule {
    @HyperParameter("lr", range: 0...1e12, "learning rate η₀")
    public var lr = 2e-3
    @HyperParameter("betas", range: 0...1, "decays β₁,β₂ of the first and second moments, each in [0, 1)")
    public var betas = RealPair(0.9, 0.999)
    @HyperParameter("eps", range: 0...1e12, "ε added to √v̂ (outside the root)")
    public var eps = 1e-8
    @HyperParameter("weight_decay", range: 0...1e12, "weight decay λ (L2 in the gradient, or decoupled)")
    public var weightDecay = 0.0
    @HyperParameter("momentum_decay", range: 0...1e12, "ψ in the momentum schedule μ_t = β₁(1 − ½·0.96^{tψ})")
    public var momentumDecay = 4e-3
    @HyperParameter("decoupled_weight_decay", "decay θ by 1 − ηλ instead of adding λθ to the gradient (NAdamW)")
    public var decoupledWeightDecay = false

    public init() {}

    public func validate(owner: String) throws(ConfigurationError) { try checkBetas(betas, owner: owner) }

    /// Rows m and v (torch's exp_avg, exp_avg_sq) and the μ-product Π_t (torch's mu_product).
    public struct SliceState {
        @usableFromInline var moments: MomentBuffers<Scalar>
        @usableFromInline var muProduct: Double = 1
    }

    public func makeState(count: Int) -> SliceState {
        SliceState(moments: MomentBuffers(count: count, rows: 2))
    }

    /// μ_t = β₁ (1 − ½·0.96^{tψ}), torch's momentum cache.
    @inlinable
    func mu(_ t: Int) -> Double { betas.first * (1 - 0.5 * Math.pow(0.96, Double(t) * momentumDecay)) }

    @inlinable
    public func update(_ w: UnsafeMutableBufferPointer<Scalar>, gradient g: UnsafeMutableBufferPointer<Scalar>,
                       state: inout SliceState, context: StepContext) {
        let t = context.iteration
        state.muProduct *= mu(t)
        state.moments.update(w, gradient: UnsafeBufferPointer(g), BlockStep(self, context, muProduct: state.muProduct))
    }

    /// Step t on one block: the averages, the coefficients of g_t/d_t and m_t/d_t, 1/(1 − β₂ᵗ),
    /// and ρ_t or λ.
    @usableFromInline
    struct BlockStep: MomentUpdate {
        @usableFromInline let first: MovingAverage<Scalar>, second: MovingAverage<Scalar>
        @usableFromInline let gradientStep: Scalar, momentStep: Scalar, correction: Scalar, eps: Scalar
        @usableFromInline let l2: Scalar, keep: Scalar

        /// The constants of step t, given Π_t.
        @inlinable
        init(_ rule: NAdamRule, _ context: StepContext, muProduct product: Double) {
            let t = context.iteration, eta = rule.lr * context.scale
            let muNow = rule.mu(t), muNext = rule.mu(t + 1)
            first = MovingAverage(decay: rule.betas.first)
            second = MovingAverage(decay: rule.betas.second)
            gradientStep = Scalar(-eta * (1 - muNow) / (1 - product))
            momentStep = Scalar(-eta * muNext / (1 - product * muNext))
            correction = Scalar(BiasCorrection(decay: rule.betas.second, step: t).inverse)
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
            let d = (v * correction).squareRoot() + eps
            w += (gradientStep * g).addingProduct(momentStep, m) / d
        }
    }
}


extension OptimizerEntry {
    /// NAdam (`NAdam`), torch.optim.NAdam's rule and defaults.
    public static let nadam = OptimizerEntry(
        name: "nadam",
        summary: "NAdam: Adam with Nesterov momentum and torch.optim.NAdam's μ-product, momentum decay and decoupled decay",
        elementwise: NAdamRule<Float>.self, NAdamRule<Double>.self)
}

extension OptimizerEntry {
    /// NAdamW: `NAdam` with `decoupled_weight_decay` true, torch.optim.NAdam(decoupled_weight_decay=True)
    /// (torch==2.13.0), θ ← (1 − η_t λ)θ before the step. This keeps torch's μ schedule; it is
    /// not AlgoPerf's baseline NAdamW, which has none.
    public static let nadamw = OptimizerEntry(
        name: "nadamw",
        summary: "NAdamW: NAdam with decoupled weight decay θ ← (1 − ηλ)θ (torch.optim.NAdam, decoupled_weight_decay=True)",
        elementwise: NAdamRule<Float>.self, NAdamRule<Double>.self) {
            $0.decoupledWeightDecay = true
        }
}
