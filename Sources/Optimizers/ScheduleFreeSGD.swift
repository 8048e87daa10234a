import OptBenchCore
import OptBenchKernels

/// Schedule-Free SGD (Defazio et al., 2024, "The Road Less Scheduled"); exactly schedulefree
/// 1.4.1's `SGDScheduleFree` in train mode, per group, with k = 0, 1, … its step counter:
///
///     γ_k = η·min(1, (k + 1)/T_w)   (1 when T_w = 0),   γ_max ← max(γ_max, γ_k)   (γ_max starts −1)
///     w_k = (k + 1)^r · γ_maxᵖ,   W ← W + w_k,   c = w_k / W   (0 when W = 0)     (p = weight_lr_power)
///     ĝ = g_k + λ y,   z_0 = y_0 (copied at the first step)
///     y ← y + c (z − y);   y ← y + γ_k (β(1 − c) − 1) ĝ;   z ← z − γ_k ĝ
///
/// with η = lr·s(epoch), β = `momentum`, λ = `weight_decay` and g_k = ∇f_B(y). The parameter
/// holds the train point y; the evaluation point is the average x = y + (1 − 1/β)(z − y)
/// = (y − (1 − β) z)/β, what the reference's `.eval()` swaps in (y itself before the first step).
/// The counters k, γ_max and W live in each slice's state. Hyper-parameters carry the
/// reference's names and defaults; each may be set per group.
public typealias ScheduleFreeSGD<Scalar: KernelScalar> = ElementwiseOptimizer<ScheduleFreeSGDRule<Scalar>>

/// The averaging weights shared by the schedule-free rules: the step's γ_k and c after
/// advancing γ_max and W.
@usableFromInline
struct ScheduleFreeCounters: Sendable {
    @usableFromInline var k = 0
    @usableFromInline var lrMax = -1.0
    @usableFromInline var weightSum = 0.0

    @usableFromInline init() {}

    /// γ_k and c of the next step for base rate `rate`, with the counters advanced past it (k too).
    @inlinable
    mutating func next(rate: Double, warmupSteps: Int, r: Double, weightLRPower: Double) -> (gamma: Double, c: Double) {
        let sched = k < warmupSteps ? Double(k + 1) / Double(warmupSteps) : 1
        let gamma = rate * sched
        lrMax = max(lrMax, gamma)
        let weight = Math.pow(Double(k + 1), r) * Math.pow(lrMax, weightLRPower)
        weightSum += weight
        let c = weightSum == 0 ? 0 : weight / weightSum
        k += 1
        return (gamma, c)
    }
}

/// schedulefree's `SGDScheduleFree` update of one parameter group (see `ScheduleFreeSGD`).
public struct ScheduleFreeSGDRule<Scalar: KernelScalar>: ElementwiseRule {
    @HyperParameter("lr", range: 0...1e12, "step size γ")
    public var lr = 1.0
    @HyperParameter("momentum", range: 0...1, "interpolation β between z and the average x, in (0, 1)")
    public var momentum = 0.9
    @HyperParameter("weight_decay", range: 0...1e12, "weight decay λ: λy added to the gradient")
    public var weightDecay = 0.0
    @HyperParameter("warmup_steps", range: 0...1e15, "length T_w of the linear lr warmup")
    public var warmupSteps = 0
    @HyperParameter("r", range: 0...1e12, "power r of the polynomial weighting of the average")
    public var r = 0.0
    @HyperParameter("weight_lr_power", range: 0...1e12, "average weights ∝ γ_max to this power")
    public var weightLRPower = 2.0

    public init() {}

    public func validate(owner: String) throws(ConfigurationError) {
        guard momentum > 0, momentum < 1 else {
            throw ConfigurationError("\(owner): momentum=\(momentum) is out of range; expected β in (0, 1)")
        }
    }

    /// The row z and the group's counters.
    public struct SliceState {
        @usableFromInline var z: MomentBuffers<Scalar>
        @usableFromInline var counters = ScheduleFreeCounters()
    }

    public func makeState(count: Int) -> SliceState {
        SliceState(z: MomentBuffers(count: count, rows: 1))
    }

    @inlinable
    public func update(_ w: UnsafeMutableBufferPointer<Scalar>, gradient g: UnsafeMutableBufferPointer<Scalar>,
                       state: inout SliceState, context: StepContext) {
        let first = state.counters.k == 0
        let (gamma, c) = state.counters.next(rate: lr * context.scale, warmupSteps: warmupSteps, r: r, weightLRPower: weightLRPower)
        state.z.update(w, gradient: UnsafeBufferPointer(g),
                       BlockStep(first: first, c: Scalar(c), yStep: Scalar(gamma * (momentum * (1 - c) - 1)),
                                 zStep: Scalar(gamma), l2: Scalar(weightDecay)))
    }

    /// x = y + (1 − 1/β)(z − y), once a step has been taken.
    public func evaluationPoint(_ w: UnsafeBufferPointer<Scalar>, state: SliceState, into point: UnsafeMutableBufferPointer<Scalar>) -> Bool {
        guard state.counters.k > 0 else { return false }
        let weight = Scalar(1 - 1 / momentum)
        for i in 0..<point.count { point[i] = w[i] + weight * (state.z[0, i] - w[i]) }
        return true
    }

    /// Step k on one block: c, γ_k(β(1 − c) − 1), γ_k and λ; at the first step z starts at y.
    @usableFromInline
    struct BlockStep: MomentUpdate {
        @usableFromInline let first: Bool
        @usableFromInline let c: Scalar, yStep: Scalar, zStep: Scalar, l2: Scalar

        @inlinable
        init(first: Bool, c: Scalar, yStep: Scalar, zStep: Scalar, l2: Scalar) {
            self.first = first
            self.c = c
            self.yStep = yStep
            self.zStep = zStep
            self.l2 = l2
        }

        @inlinable @inline(__always)
        func callAsFunction(_ w: inout Scalar.Vector, _ g: Scalar.Vector, _ s: MomentLanes<Scalar>) {
            let z = first ? w : s[0]
            let g = l2 == 0 ? g : g.addingProduct(l2, w)
            w = w.addingProduct(c, z - w)
            w = w.addingProduct(yStep, g)
            s[0] = z.addingProduct(-zStep, g)
        }
    }
}

extension OptimizerEntry {
    /// Schedule-Free SGD (`ScheduleFreeSGD`), schedulefree's rule and defaults.
    public static let sf_sgd = OptimizerEntry(
        name: "sf_sgd",
        summary: "Schedule-Free SGD: interpolation between z and its weighted average, no schedule (schedulefree SGDScheduleFree)",
        elementwise: ScheduleFreeSGDRule<Float>.self, ScheduleFreeSGDRule<Double>.self)
}
