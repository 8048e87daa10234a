import OptBenchCore
import OptBenchKernels

/// Schedule-Free AdamW (Defazio et al., 2024, "The Road Less Scheduled"); exactly schedulefree
/// 1.4.1's `AdamWScheduleFree` in train mode, per group, with k = 0, 1, … its step counter:
///
///     γ_k, c as in `ScheduleFreeSGD` (warmup, γ_max, weights (k + 1)^r · γ_maxᵖ)
///     v ← β₂ v + (1 − β₂) g_k ∘ g_k,   d = √(v / (1 − β₂^{k+1})) + ε
///     ĝ = g_k / d + λ y,   z_0 = y_0 (copied at the first step)
///     y ← y + c (z − y);   y ← y + γ_k (β₁(1 − c) − 1) ĝ;   z ← z − γ_k ĝ
///
/// with η = lr·s(epoch) the base of γ_k and g_k = ∇f_B(y). There is no first moment and no
/// 1 − β₁ᵗ correction: β₁ only interpolates. The parameter holds the train point y; the
/// evaluation point is x = y + (1 − 1/β₁)(z − y) = (y − (1 − β₁) z)/β₁, what the reference's
/// `.eval()` swaps in (y itself before the first step). Hyper-parameters carry the
/// reference's names and defaults; each may be set per group.
public typealias ScheduleFreeAdamW<Scalar: KernelScalar> = ElementwiseOptimizer<ScheduleFreeAdamWRule<Scalar>>

/// schedulefree's `AdamWScheduleFree` update of one parameter group (see `ScheduleFreeAdamW`).
public struct ScheduleFreeAdamWRule<Scalar: KernelScalar>: ElementwiseRule {
    @HyperParameter("lr", range: 0...1e12, "step size γ")
    public var lr = 2.5e-3
    @HyperParameter("betas", range: 0...1, "β₁ (interpolation between z and x, in (0, 1)), β₂ (second moment, in [0, 1))")
    public var betas = RealPair(0.9, 0.999)
    @HyperParameter("eps", range: 0...1e12, "ε added to √(v / (1 − β₂^{k+1}))")
    public var eps = 1e-8
    @HyperParameter("weight_decay", range: 0...1e12, "weight decay λ: λy added to the normalised gradient")
    public var weightDecay = 0.0
    @HyperParameter("warmup_steps", range: 0...1e15, "length T_w of the linear lr warmup")
    public var warmupSteps = 0
    @HyperParameter("r", range: 0...1e12, "power r of the polynomial weighting of the average")
    public var r = 0.0
    @HyperParameter("weight_lr_power", range: 0...1e12, "average weights ∝ γ_max to this power")
    public var weightLRPower = 2.0

    public init() {}

    public func validate(owner: String) throws(ConfigurationError) {
        try checkBetas(betas, owner: owner)
        guard betas.first > 0 else {
            throw ConfigurationError("\(owner): betas=\(betas) is out of range; expected β₁ in (0, 1)")
        }
    }

    /// Rows v and z (the reference's exp_avg_sq, z) and the group's counters.
    public struct SliceState {
        @usableFromInline var rows: MomentBuffers<Scalar>
        @usableFromInline var counters = ScheduleFreeCounters()
    }

    public func makeState(count: Int) -> SliceState {
        SliceState(rows: MomentBuffers(count: count, rows: 2))
    }

    @inlinable
    public func update(_ w: UnsafeMutableBufferPointer<Scalar>, gradient g: UnsafeMutableBufferPointer<Scalar>,
                       state: inout SliceState, context: StepContext) {
        let first = state.counters.k == 0
        let correction = BiasCorrection(decay: betas.second, step: state.counters.k + 1).inverse
        let (gamma, c) = state.counters.next(rate: lr * context.scale, warmupSteps: warmupSteps, r: r, weightLRPower: weightLRPower)
        state.rows.update(w, gradient: UnsafeBufferPointer(g),
                          BlockStep(first: first, second: MovingAverage(decay: betas.second), correction: Scalar(correction),
                                    eps: Scalar(eps), c: Scalar(c), yStep: Scalar(gamma * (betas.first * (1 - c) - 1)),
                                    zStep: Scalar(gamma), decay: Scalar(weightDecay)))
    }

    /// x = y + (1 − 1/β₁)(z − y), once a step has been taken.
    public func evaluationPoint(_ w: UnsafeBufferPointer<Scalar>, state: SliceState, into point: UnsafeMutableBufferPointer<Scalar>) -> Bool {
        guard state.counters.k > 0 else { return false }
        let weight = Scalar(1 - 1 / betas.first)
        for i in 0..<point.count { point[i] = w[i] + weight * (state.rows[1, i] - w[i]) }
        return true
    }

    /// Step k on one block: v's average, 1/(1 − β₂^{k+1}), ε, c, γ_k(β₁(1 − c) − 1), γ_k and λ;
    /// at the first step z starts at y.
    @usableFromInline
    struct BlockStep: MomentUpdate {
        @usableFromInline let first: Bool
        @usableFromInline let second: MovingAverage<Scalar>
        @usableFromInline let correction: Scalar, eps: Scalar, c: Scalar, yStep: Scalar, zStep: Scalar, decay: Scalar

        @inlinable
        init(first: Bool, second: MovingAverage<Scalar>, correction: Scalar, eps: Scalar, c: Scalar, yStep: Scalar,
             zStep: Scalar, decay: Scalar) {
            self.first = first
            self.second = second
            self.correction = correction
            self.eps = eps
            self.c = c
            self.yStep = yStep
            self.zStep = zStep
            self.decay = decay
        }

        @inlinable @inline(__always)
        func callAsFunction(_ w: inout Scalar.Vector, _ g: Scalar.Vector, _ s: MomentLanes<Scalar>) {
            let z = first ? w : s[1]
            let v = second.squares(s[0], g)
            var u = g / ((v * correction).squareRoot() + eps)
            if decay != 0 { u = u.addingProduct(decay, w) }
            s[0] = v
            w = w.addingProduct(c, z - w)
            w = w.addingProduct(yStep, u)
            s[1] = z.addingProduct(-zStep, u)
        }
    }
}

extension OptimizerEntry {
    /// Schedule-Free AdamW (`ScheduleFreeAdamW`), schedulefree's rule and defaults.
    public static let sf_adamw = OptimizerEntry(
        name: "sf_adamw",
        summary: "Schedule-Free AdamW: RMS-normalised schedule-free steps, no schedule (schedulefree AdamWScheduleFree)",
        elementwise: ScheduleFreeAdamWRule<Float>.self, ScheduleFreeAdamWRule<Double>.self)
}
