import OptBenchCore
import OptBenchKernels

/// Adam (Kingma & Ba, 2015; the survey's §5.4), exactly torch.optim.Adam's rule, per group:
///
///     g_t = ∇f_{B_t}(θ_{t−1}) + λθ_{t−1}            (λ = weight_decay; g_t = ∇f_{B_t} when decoupled)
///     m_t = β₁ m_{t−1} + (1 − β₁) g_t,   v_t = β₂ v_{t−1} + (1 − β₂) g_t ∘ g_t,   m_0 = v_0 = 0
///     v̂_t = max(v̂_{t−1}, v_t) with amsgrad (v̂_0 = 0), else v̂_t = v_t
///     θ_t = ρ_t θ_{t−1} − (η_t / (1 − β₁ᵗ)) · m_t / (√v̂_t / √(1 − β₂ᵗ) + ε)
///
/// with η_t = lr·s(epoch), ρ_t = 1 − η_t λ under `decoupled_weight_decay` (AdamW, Loshchilov &
/// Hutter, 2019) and ρ_t = 1 otherwise. As in torch, ε is added outside the square root, after
/// the bias correction, and AMSGrad (Reddi et al., 2018) keeps the running maximum of the
/// uncorrected v_t, which is divided by the current √(1 − β₂ᵗ). `amsgrad` and `adamw` are
/// presets of this rule (`amsgrad=true`; `decoupled_weight_decay=true`, `weight_decay` 0.01).
///
/// Hyper-parameters carry torch's names and defaults (`betas` written `b1,b2`); each may be set
/// per parameter group.
public typealias Adam<Scalar: KernelScalar> = ElementwiseOptimizer<AdamRule<Scalar>>

/// torch.optim.Adam's element-wise update of one parameter group (see `Adam`).
public struct AdamRule<Scalar: KernelScalar>: ElementwiseRule {
    @HyperParameter("lr", range: 0...1e12, "learning rate η₀")
    public var lr = 1e-3
    @HyperParameter("betas", range: 0...1, "decays β₁,β₂ of the first and second moments, each in [0, 1)")
    public var betas = RealPair(0.9, 0.999)
    @HyperParameter("eps", range: 0...1e12, "ε added to √v̂ (outside the root)")
    public var eps = 1e-8
    @HyperParameter("weight_decay", range: 0...1e12, "weight decay λ (L2 in the gradient, or decoupled)")
    public var weightDecay = 0.0
    @HyperParameter("amsgrad", "AMSGrad: divide by the running maximum of v")
    public var amsgrad = false
    @HyperParameter("decoupled_weight_decay", "decay θ by 1 − ηλ instead of adding λθ to the gradient (AdamW)")
    public var decoupledWeightDecay = false

    public init() {}

    public func validate(owner: String) throws(ConfigurationError) { try checkBetas(betas, owner: owner) }

    /// Rows m, v and (with amsgrad) v̂, torch's exp_avg, exp_avg_sq and max_exp_avg_sq.
    public struct SliceState {
        @usableFromInline var moments: MomentBuffers<Scalar>
    }

    public func makeState(count: Int) -> SliceState {
        SliceState(moments: MomentBuffers(count: count, rows: amsgrad ? 3 : 2))
    }

    @inlinable
    public func update(_ w: UnsafeMutableBufferPointer<Scalar>, gradient g: UnsafeMutableBufferPointer<Scalar>,
                       state: inout SliceState, context: StepContext) {
        state.moments.update(w, gradient: UnsafeBufferPointer(g), BlockStep(self, context))
    }

    /// Step t on one block: the moving averages, η_t/(1 − β₁ᵗ), 1/√(1 − β₂ᵗ), and ρ_t or λ.
    @usableFromInline
    struct BlockStep: MomentUpdate {
        @usableFromInline let first: MovingAverage<Scalar>, second: MovingAverage<Scalar>
        @usableFromInline let stepSize: Scalar, rootCorrection: Scalar, eps: Scalar
        @usableFromInline let l2: Scalar, keep: Scalar
        @usableFromInline let amsgrad: Bool

        @inlinable
        init(_ rule: AdamRule, _ context: StepContext) {
            let eta = rule.lr * context.scale
            first = MovingAverage(decay: rule.betas.first)
            second = MovingAverage(decay: rule.betas.second)
            stepSize = Scalar(eta / BiasCorrection(decay: rule.betas.first, step: context.iteration).factor)
            rootCorrection = Scalar(BiasCorrection(decay: rule.betas.second, step: context.iteration).inverseSquareRoot)
            eps = Scalar(rule.eps)
            l2 = Scalar(rule.decoupledWeightDecay ? 0 : rule.weightDecay)
            keep = Scalar(rule.decoupledWeightDecay ? 1 - eta * rule.weightDecay : 1)
            amsgrad = rule.amsgrad
        }

        @inlinable @inline(__always)
        func callAsFunction(_ w: inout Scalar.Vector, _ g: Scalar.Vector, _ s: MomentLanes<Scalar>) {
            let g = l2 == 0 ? g : g.addingProduct(l2, w)
            if keep != 1 { w *= keep }
            let m = first(s[0], g), v = second.squares(s[1], g)
            s[0] = m
            s[1] = v
            var vHat = v
            if amsgrad {
                vHat = Scalar.maximumOfNonNegative(s[2], v)
                s[2] = vHat
            }
            w -= stepSize * m / (vHat.squareRoot() * rootCorrection + eps)
        }
    }
}

/// Refuses `betas` outside [0, 1), as torch.optim does.
func checkBetas(_ betas: RealPair, owner: String) throws(ConfigurationError) {
    guard betas.first < 1, betas.second < 1 else {
        throw ConfigurationError("\(owner): betas=\(betas) is out of range; expected each β in [0, 1)")
    }
}

extension OptimizerEntry {
    /// Adam (`Adam`), torch.optim.Adam's rule and defaults.
    public static let adam = OptimizerEntry(
        name: "adam", summary: "Adam with torch.optim.Adam's bias corrections, ε, weight decay, AMSGrad and decoupled decay",
        elementwise: AdamRule<Float>.self, AdamRule<Double>.self)
}
