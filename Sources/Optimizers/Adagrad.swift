import OptBenchCore
import OptBenchKernels

/// AdaGrad (Duchi, Hazan & Singer, 2011; the survey's §5.4), exactly torch.optim.Adagrad's rule,
/// per group:
///
///     g_t = ∇f_{B_t}(θ_{t−1}) + λθ_{t−1}                  (λ = weight_decay)
///     s_t = s_{t−1} + g_t ∘ g_t,   s_0 = initial_accumulator_value
///     θ_t = θ_{t−1} − η_t / (1 + (t − 1)·lr_decay) · g_t / (√s_t + ε)
///
/// with η_t = lr·s(epoch). As in torch, ε is added outside the square root, and `lr_decay`
/// divides the rate by 1 + (t − 1)·lr_decay at step t = 1, 2, …
///
/// Hyper-parameters carry torch's names and defaults; each but `batch_size` and the schedule's
/// may be set per parameter group.
public typealias Adagrad<Scalar: KernelScalar> = ElementwiseOptimizer<AdagradRule<Scalar>>

/// torch.optim.Adagrad's element-wise update of one parameter group (see `Adagrad`).
public struct AdagradRule<Scalar: KernelScalar>: ElementwiseRule {
    @HyperParameter("lr", range: 0...1e12, "learning rate η₀")
    public var lr = 1e-2
    @HyperParameter("lr_decay", range: 0...1e12, "the rate at step t is η/(1 + (t − 1)·lr_decay)")
    public var lrDecay = 0.0
    @HyperParameter("weight_decay", range: 0...1e12, "L2 penalty λ added to the gradient")
    public var weightDecay = 0.0
    @HyperParameter("initial_accumulator_value", range: 0...1e12, "s₀, the start of the sum of squared gradients")
    public var initialAccumulatorValue = 0.0
    @HyperParameter("eps", range: 0...1e12, "ε added to √s (outside the root)")
    public var eps = 1e-10

    public init() {}

    /// The row s, torch's state_sum.
    public struct SliceState {
        @usableFromInline var moments: MomentBuffers<Scalar>
    }

    public func makeState(count: Int) -> SliceState {
        SliceState(moments: MomentBuffers(count: count, rows: 1, initialValue: Scalar(initialAccumulatorValue)))
    }

    @inlinable
    public func update(_ w: UnsafeMutableBufferPointer<Scalar>, gradient g: UnsafeMutableBufferPointer<Scalar>,
                       state: inout SliceState, context: StepContext) {
        state.moments.update(w, gradient: UnsafeBufferPointer(g), BlockStep(self, context))
    }

    /// Step t on one block: the rate η_t/(1 + (t − 1)·lr_decay), ε and λ.
    @usableFromInline
    struct BlockStep: MomentUpdate {
        @usableFromInline let rate: Scalar, eps: Scalar, l2: Scalar

        @inlinable
        init(_ rule: AdagradRule, _ context: StepContext) {
            rate = Scalar(rule.lr * context.scale / (1 + Double(context.iteration - 1) * rule.lrDecay))
            eps = Scalar(rule.eps)
            l2 = Scalar(rule.weightDecay)
        }

        @inlinable @inline(__always)
        func callAsFunction(_ w: inout Scalar.Vector, _ g: Scalar.Vector, _ s: MomentLanes<Scalar>) {
            let g = l2 == 0 ? g : g.addingProduct(l2, w)
            let sum = s[0].addingProduct(g, g)
            s[0] = sum
            w -= rate * g / (sum.squareRoot() + eps)
        }
    }
}


extension OptimizerEntry {
    /// AdaGrad (`Adagrad`), torch.optim.Adagrad's rule and defaults.
    public static let adagrad = OptimizerEntry(
        name: "adagrad", summary: "AdaGrad with torch.optim.Adagrad's lr_decay, initial accumulator, ε and weight decay",
        elementwise: AdagradRule<Float>.self, AdagradRule<Double>.self)
}
