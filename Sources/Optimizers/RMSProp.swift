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
/// Hyper-parameters carry torch's names; each but `batch_size` may be set per parameter group.
/// - Parameters: `lr` 1e-2, `alpha` 0.99, `eps` 1e-8, `weight_decay` 0, `momentum` 0,
///   `centered` false (torch's defaults), `bias_correction` false, `batch_size` 0 (full gradient).
public typealias RMSProp<Scalar: KernelScalar> = ElementwiseOptimizer<RMSPropRule<Scalar>>

/// torch.optim.RMSprop's element-wise update of one parameter group (see `RMSProp`).
public struct RMSPropRule<Scalar: KernelScalar>: ElementwiseRule {
    public var lr: Double
    public var alpha: Double
    public var eps: Double
    public var weightDecay: Double
    public var momentum: Double
    public var centered: Bool
    public var biasCorrection: Bool

    public init(lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8, weightDecay: Double = 0, momentum: Double = 0,
                centered: Bool = false, biasCorrection: Bool = false) {
        self.lr = lr
        self.alpha = alpha
        self.eps = eps
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.centered = centered
        self.biasCorrection = biasCorrection
    }

    /// `bias_correction` is refused with α = 1 (it would divide by 1 − αᵗ = 0) and with `centered`.
    public init(_ p: Parameters) throws(ConfigurationError) {
        self.init(lr: p.real("lr"), alpha: p.real("alpha"), eps: p.real("eps"), weightDecay: p.real("weight_decay"),
                  momentum: p.real("momentum"), centered: p.boolean("centered"), biasCorrection: p.boolean("bias_correction"))
        if biasCorrection && alpha >= 1 {
            throw ConfigurationError("\(p.owner): bias_correction=true requires alpha < 1 (the correction divides by 1 − alphaᵗ); got alpha=\(formatShort(alpha))")
        }
        if biasCorrection && centered {
            throw ConfigurationError("\(p.owner): bias_correction=true applies to the uncentred rule; with centered=true the corrected variance of the first gradient is 0 (expected centered=false)")
        }
    }

    public static var groupParameters: [String] { ["lr", "alpha", "eps", "weight_decay", "momentum", "centered", "bias_correction"] }

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
        parameters: [
            .real("lr", 1e-2, range: 0...1e12, "learning rate η₀"),
            .real("alpha", 0.99, range: 0...1, "decay α of the squared-gradient average"),
            .real("eps", 1e-8, range: 0...1e12, "ε added to the root (outside it)"),
            .real("weight_decay", 0, range: 0...1e12, "L2 penalty λ added to the gradient"),
            .real("momentum", 0, range: 0...1, "momentum μ of the normalised step"),
            .boolean("centered", false, "divide by the root of the variance estimate v − ḡ²"),
            .boolean("bias_correction", false, "divide v by 1 − αᵗ (optax; not in torch; uncentred only)"),
        ] + Schedule.parameters + [fullOrMiniBatch],
        float: { p, groups throws(ConfigurationError) in try RMSProp<Float>(p, groups: groups, batchSize: p.integer("batch_size")) },
        double: { p, groups throws(ConfigurationError) in try RMSProp<Double>(p, groups: groups, batchSize: p.integer("batch_size")) })
}
