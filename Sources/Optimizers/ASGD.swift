import OptBenchCore
import OptBenchKernels

/// Averaged SGD (Polyak & Juditsky, 1992; Bottou's decaying-rate form), exactly torch.optim.ASGD's
/// rule (torch==2.13.0), per group, with t the step:
///
///     g_t = ∇f_{B_t}(θ_{t−1}) + λθ_{t−1}                          (λ = weight_decay)
///     θ_t = (1 − λ_d η_{t−1}) θ_{t−1} − η_{t−1} g_t                 (λ_d = lambd, η_0 = lr)
///     a_t = a_{t−1} + μ_{t−1} (θ_t − a_{t−1})   if μ_{t−1} ≠ 1, else a_t = θ_t     (μ_0 = 1)
///     η_t = lr / (1 + λ_d lr t)^α,   μ_t = 1 / max(1, t − t₀)
///
/// with lr = lr₀·s(epoch) at step t. The averaged iterate a_t (torch's ax) is the evaluation
/// point; before the first step it is θ_0. Hyper-parameters carry torch's names and defaults;
/// each may be set per group.
public typealias ASGD<Scalar: KernelScalar> = ElementwiseOptimizer<ASGDRule<Scalar>>

/// torch.optim.ASGD's element-wise update of one parameter group (see `ASGD`).
public struct ASGDRule<Scalar: KernelScalar>: ElementwiseRule {
    @HyperParameter("lr", range: 0...1e12, "learning rate lr₀, also in the η schedule")
    public var lr = 1e-2
    @HyperParameter("lambd", range: 0...1e12, "decay term λ_d of θ and of the η schedule")
    public var lambd = 1e-4
    @HyperParameter("alpha", range: 0...1e12, "power α of the η schedule")
    public var alpha = 0.75
    @HyperParameter("t0", range: 0...1e300, "step t₀ at which averaging starts")
    public var t0 = 1e6
    @HyperParameter("weight_decay", range: 0...1e12, "L2 weight decay λ added to the gradient")
    public var weightDecay = 0.0

    public init() {}

    /// The row a (torch's ax), and η, μ (torch's eta, mu) after the last step.
    public struct SliceState {
        @usableFromInline var average: MomentBuffers<Scalar>
        @usableFromInline var eta: Double
        @usableFromInline var mu: Double = 1
        @usableFromInline var steps = 0
    }

    public func makeState(count: Int) -> SliceState {
        SliceState(average: MomentBuffers(count: count, rows: 1), eta: lr)
    }

    @inlinable
    public func update(_ w: UnsafeMutableBufferPointer<Scalar>, gradient g: UnsafeMutableBufferPointer<Scalar>,
                       state: inout SliceState, context: StepContext) {
        let t = Double(context.iteration), rate = lr * context.scale
        state.average.update(w, gradient: UnsafeBufferPointer(g),
                             BlockStep(keep: Scalar(1 - lambd * state.eta), eta: Scalar(state.eta), mu: Scalar(state.mu),
                                       averaging: state.mu != 1, l2: Scalar(weightDecay)))
        state.eta = rate / Math.pow(1 + lambd * rate * t, alpha)
        state.mu = 1 / max(1, t - t0)
        state.steps += 1
    }

    /// a, once a step has been taken.
    public func evaluationPoint(_ w: UnsafeBufferPointer<Scalar>, state: SliceState, into point: UnsafeMutableBufferPointer<Scalar>) -> Bool {
        guard state.steps > 0 else { return false }
        for i in 0..<point.count { point[i] = state.average[0, i] }
        return true
    }

    /// Step t on one block: 1 − λ_d η_{t−1}, η_{t−1}, μ_{t−1} and λ.
    @usableFromInline
    struct BlockStep: MomentUpdate {
        @usableFromInline let keep: Scalar, eta: Scalar, mu: Scalar
        @usableFromInline let averaging: Bool
        @usableFromInline let l2: Scalar

        @inlinable
        init(keep: Scalar, eta: Scalar, mu: Scalar, averaging: Bool, l2: Scalar) {
            self.keep = keep
            self.eta = eta
            self.mu = mu
            self.averaging = averaging
            self.l2 = l2
        }

        @inlinable @inline(__always)
        func callAsFunction(_ w: inout Scalar.Vector, _ g: Scalar.Vector, _ s: MomentLanes<Scalar>) {
            let g = l2 == 0 ? g : g.addingProduct(l2, w)
            w *= keep
            w -= eta * g
            s[0] = averaging ? s[0] + (w - s[0]) * mu : w
        }
    }
}

extension OptimizerEntry {
    /// ASGD (`ASGD`), torch.optim.ASGD's rule and defaults.
    public static let asgd = OptimizerEntry(
        name: "asgd",
        summary: "ASGD: SGD with a decaying rate and the averaged iterate as evaluation point (torch.optim.ASGD)",
        elementwise: ASGDRule<Float>.self, ASGDRule<Double>.self)
}
