import OptBenchCore
import OptBenchKernels

/// RMSProp (Tieleman & Hinton, 2012; the survey's §5.4), exactly torch.optim.RMSprop's rule,
/// per group:
///
///     g_t = ∇f_{B_t}(θ_{t−1}) + λθ_{t−1}                          (λ = weight_decay)
///     v_t = α v_{t−1} + (1 − α) g_t ∘ g_t,   v_0 = 0
///     ḡ_t = α ḡ_{t−1} + (1 − α) g_t,   ḡ_0 = 0                     (centered only)
///     d_t = √(v_t − ḡ_t ∘ ḡ_t) + ε  if centered,   √v_t + ε  otherwise
///     b_t = μ b_{t−1} + g_t / d_t,  θ_t = θ_{t−1} − η_t b_t   if μ > 0   (μ = momentum, b_0 = 0)
///     θ_t = θ_{t−1} − η_t g_t / d_t                               otherwise
///
/// with η_t = lr·s(epoch). As in torch, ε is added outside the square root and the averages are
/// not bias-corrected. `bias_correction=true` (optax's `scale_by_rms(bias_correction=True)`,
/// not in torch) divides v_t by 1 − αᵗ, d_t = √(v_t/(1 − αᵗ)) + ε, so that with α = β₂ and no
/// momentum the rule is Adam with β₁ = 0; it is refused with `centered`, where the corrected
/// variance v̂_1 − ĝ_1² of one gradient is 0 and the first step would be η g/ε.
///
/// Hyper-parameters carry torch's names and defaults; each but `batch_size` and the schedule's
/// may be set per parameter group.
public typealias RMSProp<Scalar: KernelScalar> = ElementwiseOptimizer<RMSPropRule<Scalar>>

/// torch.optim.RMSprop's element-wise update of one parameter group (see `RMSProp`).
public struct RMSPropRule<Scalar: KernelScalar>: ElementwiseRule {
    @HyperParameter("lr", range: 0...1e12, "learning rate η₀")
    public var lr = 1e-2
    @HyperParameter("alpha", range: 0...1, "decay α of the squared-gradient average")
    public var alpha = 0.99
    @HyperParameter("eps", range: 0...1e12, "ε added to the root (outside it)")
    public var eps = 1e-8
    @HyperParameter("weight_decay", range: 0...1e12, "L2 penalty λ added to the gradient")
    public var weightDecay = 0.0
    @HyperParameter("momentum", range: 0...1, "momentum μ of the normalised step")
    public var momentum = 0.0
    @HyperParameter("centered", "divide by the root of the variance estimate v − ḡ²")
    public var centered = false
    @HyperParameter("bias_correction", "divide v by 1 − αᵗ (optax; not in torch; uncentred only)")
    public var biasCorrection = false

    public init() {}

    /// `bias_correction` is refused with α = 1 (it would divide by 1 − αᵗ = 0) and with `centered`.
    public func validate(owner: String) throws(ConfigurationError) {
        if biasCorrection && alpha >= 1 {
            throw ConfigurationError("\(owner): bias_correction=true requires alpha < 1 (the correction divides by 1 − alphaᵗ); got alpha=\(formatShort(alpha))")
        }
        if biasCorrection && centered {
            throw ConfigurationError("\(owner): bias_correction=true applies to the uncentred rule; with centered=true the corrected variance of the first gradient is 0 (expected centered=false)")
        }
    }

    /// Rows v, then ḡ when centered, then b with momentum (torch's square_avg, grad_avg,
    /// momentum_buffer).
    public struct SliceState {
        @usableFromInline var moments: MomentBuffers<Scalar>
    }

    public func makeState(count: Int) -> SliceState {
        SliceState(moments: MomentBuffers(count: count, rows: 1 + (centered ? 1 : 0) + (momentum > 0 ? 1 : 0)))
    }

    @inlinable
    public func update(_ w: UnsafeMutableBufferPointer<Scalar>, gradient g: UnsafeMutableBufferPointer<Scalar>,
                       state: inout SliceState, context: StepContext) {
        state.moments.update(w, gradient: UnsafeBufferPointer(g), BlockStep(self, context))
    }

    /// Step t on one block: the average, η_t, 1/√(1 − αᵗ) (1 without the correction), λ and μ.
    @usableFromInline
    struct BlockStep: MomentUpdate {
        @usableFromInline let average: MovingAverage<Scalar>
        @usableFromInline let eta: Scalar, rootCorrection: Scalar, eps: Scalar, l2: Scalar, mu: Scalar
        @usableFromInline let centered: Bool, hasMomentum: Bool

        @inlinable
        init(_ rule: RMSPropRule, _ context: StepContext) {
            average = MovingAverage(decay: rule.alpha)
            eta = Scalar(rule.lr * context.scale)
            rootCorrection = Scalar(rule.biasCorrection ? BiasCorrection(decay: rule.alpha, step: context.iteration).inverseSquareRoot : 1)
            eps = Scalar(rule.eps)
            l2 = Scalar(rule.weightDecay)
            mu = Scalar(rule.momentum)
            centered = rule.centered
            hasMomentum = rule.momentum > 0
        }

        @inlinable @inline(__always)
        func callAsFunction(_ w: inout Scalar.Vector, _ g: Scalar.Vector, _ s: MomentLanes<Scalar>) {
            let g = l2 == 0 ? g : g.addingProduct(l2, w)
            let v = average.squares(s[0], g)
            s[0] = v
            var d: Scalar.Vector
            if centered {
                let gBar = average(s[1], g)
                s[1] = gBar
                d = v.addingProduct(-gBar, gBar).squareRoot()
            } else {
                d = v.squareRoot()
            }
            if rootCorrection != 1 { d *= rootCorrection }
            d += eps
            if hasMomentum {
                let row = centered ? 2 : 1
                let b = (mu * s[row]) + g / d
                s[row] = b
                w = w.addingProduct(-eta, b)
            } else {
                w -= eta * g / d
            }
        }
    }
}


extension OptimizerEntry {
    /// RMSProp (`RMSProp`), torch.optim.RMSprop's rule and defaults.
    public static let rmsprop = OptimizerEntry(
        name: "rmsprop",
        summary: "RMSProp with torch.optim.RMSprop's ε, momentum, centring and weight decay",
        elementwise: RMSPropRule<Float>.self, RMSPropRule<Double>.self)
}
