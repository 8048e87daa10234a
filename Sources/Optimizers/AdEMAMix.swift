import OptBenchCore
import OptBenchKernels

/// AdEMAMix (Pagliardini, Ablin & Grangier, 2024): Adam with a second, slow gradient average
/// mixed into the numerator; exactly apple/ml-ademamix@c3d73c0's `pytorch/ademamix.py`, per
/// parameter, with t its step:
///
///     m1_t = β₁ m1_{t−1} + (1 − β₁) g_t        (β₁ = 0: m1_t = g_t)
///     m2_t = β₃(t) m2_{t−1} + (1 − β₃(t)) g_t,   v_t = β₂ v_{t−1} + (1 − β₂) g_t ∘ g_t
///     u_t = (m1_t / (1 − β₁ᵗ) + α(t) m2_t) / (√v_t / √(1 − β₂ᵗ) + ε) + λθ_{t−1}
///     θ_t = θ_{t−1} − η_t u_t
///
/// with η_t = lr·s(epoch). The warmups, off when their length T is 0 (the reference's None):
/// α(t) = (t/T_α)·α for t < T_α, else α; β₃(t) = f⁻¹((1 − a) f(β₁) + a f(β₃)) with a = t/T_β₃
/// for t < T_β₃, else β₃, where f(β) = ln ½ / ln(β + 10⁻⁸) − 1 and f⁻¹(h) = ½^{1/(h+1)} (the
/// half-life is interpolated linearly). m2 is not bias-corrected. Hyper-parameters carry the
/// reference's names and defaults (`betas` is the triple β₁,β₂,β₃); each may be set per group.
public typealias AdEMAMix<Scalar: KernelScalar> = ElementwiseOptimizer<AdEMAMixRule<Scalar>>

/// AdEMAMix's element-wise update of one parameter group (see `AdEMAMix`).
public struct AdEMAMixRule<Scalar: KernelScalar>: ElementwiseRule {
    @HyperParameter("lr", range: 0...1e12, "learning rate η₀")
    public var lr = 1e-3
    @HyperParameter("betas", range: 0...1, "β₁ (fast average), β₂ (second moment), β₃ (slow average), each in [0, 1)")
    public var betas = [0.9, 0.999, 0.9999]
    @HyperParameter("alpha", range: 0...1e12, "weight α of the slow average")
    public var alpha = 2.0
    @HyperParameter("beta3_warmup", range: 0...1e15, "steps T of the β₃ warmup (0: off, the reference's None)")
    public var beta3Warmup = 0
    @HyperParameter("alpha_warmup", range: 0...1e15, "steps T of the α warmup (0: off, the reference's None)")
    public var alphaWarmup = 0
    @HyperParameter("eps", range: 0...1e12, "ε added to √v̂")
    public var eps = 1e-8
    @HyperParameter("weight_decay", range: 0...1e12, "weight decay λ: λθ added to the update")
    public var weightDecay = 0.0

    public init() {}

    public func validate(owner: String) throws(ConfigurationError) {
        guard betas.count == 3, betas.allSatisfy({ $0 < 1 }) else {
            throw ConfigurationError("\(owner): betas=\(betas.map { "\($0)" }.joined(separator: ",")) is not valid; expected three values β₁,β₂,β₃, each in [0, 1)")
        }
    }

    /// Rows m1, m2 and v (the reference's exp_avg_fast, exp_avg_slow, exp_avg_sq).
    public struct SliceState {
        @usableFromInline var moments: MomentBuffers<Scalar>
    }

    public func makeState(count: Int) -> SliceState {
        SliceState(moments: MomentBuffers(count: count, rows: 3))
    }

    @inlinable
    public func update(_ w: UnsafeMutableBufferPointer<Scalar>, gradient g: UnsafeMutableBufferPointer<Scalar>,
                       state: inout SliceState, context: StepContext) {
        state.moments.update(w, gradient: UnsafeBufferPointer(g), BlockStep(self, context))
    }

    /// α(t).
    @inlinable
    func alpha(at t: Int) -> Double {
        guard t < alphaWarmup else { return alpha }
        let a = Double(t) / Double(alphaWarmup)
        return (1 - a) * 0 + a * alpha
    }

    /// β₃(t), the slow decay whose half-life grows linearly from β₁'s to β₃'s.
    @inlinable
    func beta3(at t: Int) -> Double {
        guard t < beta3Warmup else { return betas[2] }
        func f(_ beta: Double) -> Double { Math.log(0.5) / Math.log(beta + 1e-8) - 1 }
        let a = Double(t) / Double(beta3Warmup)
        return Math.pow(0.5, 1 / ((1 - a) * f(betas[0]) + a * f(betas[2]) + 1))
    }

    /// Step t on one block: the three averages, 1/(1 − β₁ᵗ), α(t), 1/√(1 − β₂ᵗ), ε, λ and η_t.
    @usableFromInline
    struct BlockStep: MomentUpdate {
        @usableFromInline let fast: MovingAverage<Scalar>, slow: MovingAverage<Scalar>, second: MovingAverage<Scalar>
        @usableFromInline let hasFast: Bool
        @usableFromInline let correction: Scalar, alpha: Scalar, rootCorrection: Scalar, eps: Scalar, decay: Scalar, eta: Scalar

        @inlinable
        init(_ rule: AdEMAMixRule, _ context: StepContext) {
            let t = context.iteration
            fast = MovingAverage(decay: rule.betas[0])
            slow = MovingAverage(decay: rule.beta3(at: t))
            second = MovingAverage(decay: rule.betas[1])
            hasFast = rule.betas[0] != 0
            correction = Scalar(1 / BiasCorrection(decay: rule.betas[0], step: t).factor)
            alpha = Scalar(rule.alpha(at: t))
            rootCorrection = Scalar(1 / BiasCorrection(decay: rule.betas[1], step: t).factor.squareRoot())
            eps = Scalar(rule.eps)
            decay = Scalar(rule.weightDecay)
            eta = Scalar(rule.lr * context.scale)
        }

        @inlinable @inline(__always)
        func callAsFunction(_ w: inout Scalar.Vector, _ g: Scalar.Vector, _ s: MomentLanes<Scalar>) {
            let m1 = hasFast ? fast(s[0], g) : g
            let m2 = slow(s[1], g), v = second.squares(s[2], g)
            if hasFast { s[0] = m1 }
            s[1] = m2
            s[2] = v
            var u = (m1 * correction).addingProduct(alpha, m2) / (v.squareRoot() * rootCorrection + eps)
            if decay != 0 { u = u.addingProduct(decay, w) }
            w -= eta * u
        }
    }
}

extension OptimizerEntry {
    /// AdEMAMix (`AdEMAMix`), the reference's rule and defaults.
    public static let ademamix = OptimizerEntry(
        name: "ademamix",
        summary: "AdEMAMix: Adam with a slow gradient average α·m2 added to the numerator, with warmups (apple/ml-ademamix)",
        elementwise: AdEMAMixRule<Float>.self, AdEMAMixRule<Double>.self)
}
