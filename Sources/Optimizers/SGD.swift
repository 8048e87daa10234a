import OptBenchCore
import OptBenchKernels

/// Stochastic gradient descent with momentum, exactly torch.optim.SGD's rule, per group.
///
///     g_t = ∇f_{B_t}(θ_{t−1}) + λθ_{t−1}                  (λ = weight_decay)
///     b_1 = g_1;  b_t = μ b_{t−1} + (1 − τ) g_t          (μ = momentum, τ = dampening)
///     d_t = g_t + μ b_t  if nesterov,  b_t  if μ ≠ 0,  g_t  otherwise
///     θ_t = θ_{t−1} − η_t d_t,   η_t = lr·s(epoch)
///
/// B_t is a mini-batch of `batch_size` samples drawn without replacement (reshuffled each
/// pass); `batch_size` 0 means the full gradient (GD, heavy ball, Nesterov's method).
/// Hyper-parameters carry torch's names and defaults; each but `batch_size` and the schedule's
/// may be set per parameter group.
public typealias SGD<Scalar: KernelScalar> = ElementwiseOptimizer<SGDRule<Scalar>>

/// torch.optim.SGD's element-wise update of one parameter group (see `SGD`).
public struct SGDRule<Scalar: KernelScalar>: ElementwiseRule {
    @HyperParameter("lr", range: 0...1e12, "learning rate η₀")
    public var lr = 1e-3
    @HyperParameter("momentum", range: 0...1, "momentum factor μ")
    public var momentum = 0.0
    @HyperParameter("dampening", range: 0...1, "dampening τ of the momentum buffer")
    public var dampening = 0.0
    @HyperParameter("nesterov", "Nesterov momentum (torch's form)")
    public var nesterov = false
    @HyperParameter("weight_decay", range: 0...1e12, "L2 penalty λ added to the gradient")
    public var weightDecay = 0.0

    public init() {}

    /// torch's constraint: Nesterov momentum needs μ > 0 and zero dampening.
    public func validate(owner: String) throws(ConfigurationError) {
        if nesterov && (momentum <= 0 || dampening != 0) {
            throw ConfigurationError("\(owner): nesterov=true requires momentum > 0 and dampening=0 (as torch.optim.SGD)")
        }
    }

    /// b, torch's momentum_buffer, for one slice (empty without momentum).
    public struct SliceState {
        var buffer: [Scalar]
        var hasBuffer = false
    }

    public func makeState(count: Int) -> SliceState {
        SliceState(buffer: .init(repeating: 0, count: momentum == 0 ? 0 : count))
    }

    public func update(_ w: UnsafeMutableBufferPointer<Scalar>, gradient g: UnsafeMutableBufferPointer<Scalar>,
                       state: inout SliceState, context: StepContext) {
        let eta = lr * context.scale
        let d = w.count
        if weightDecay != 0 { axpy(d, Scalar(weightDecay), w.baseAddress!, g.baseAddress!) }
        guard momentum != 0 else {
            axpy(d, -Scalar(eta), g.baseAddress!, w.baseAddress!)
            return
        }
        let first = !state.hasBuffer
        state.hasBuffer = true
        state.buffer.withUnsafeMutableBufferPointer { b in
            momentumStep(w, gradient: g, buffer: b, first: first, eta: Scalar(eta))
        }
    }

    @inline(__always)
    func momentumStep(_ w: UnsafeMutableBufferPointer<Scalar>, gradient g: UnsafeMutableBufferPointer<Scalar>,
                      buffer b: UnsafeMutableBufferPointer<Scalar>, first: Bool, eta: Scalar) {
        let mu = Scalar(momentum), keep = Scalar(1 - dampening), nesterov = nesterov
        // b decays geometrically where g stays zero: flushed, it leaves the subnormal range at once.
        forEachElementwiseRange(w.count) { lo, hi in
            withSubnormalsFlushedToZero {
                for i in lo..<hi {
                    let bi = first ? g[i] : mu * b[i] + keep * g[i]
                    b[i] = bi
                    w[i] -= eta * (nesterov ? g[i] + mu * bi : bi)
                }
            }
        }
    }
}

extension OptimizerEntry {
    /// Mini-batch SGD (`SGD`), one batch of `batch_size` samples per step.
    public static let sgd = OptimizerEntry(
        name: "sgd", summary: "mini-batch SGD with torch.optim.SGD's momentum, dampening, Nesterov and weight decay",
        elementwise: SGDRule<Float>.self, SGDRule<Double>.self, batchSize: 1)
}
