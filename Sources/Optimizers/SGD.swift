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
/// `lr`, `momentum`, `dampening`, `nesterov` and `weight_decay` may be set per parameter group.
/// - Parameters: `lr` 1e-3, `momentum` 0, `dampening` 0, `nesterov` false, `weight_decay` 0
///   (torch's defaults), `batch_size` 1.
public typealias SGD<Scalar: KernelScalar> = ElementwiseOptimizer<SGDRule<Scalar>>

/// torch.optim.SGD's element-wise update of one parameter group (see `SGD`).
public struct SGDRule<Scalar: KernelScalar>: ElementwiseRule {
    public var lr: Double
    public var momentum: Double
    public var dampening: Double
    public var nesterov: Bool
    public var weightDecay: Double

    public init(lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0, nesterov: Bool = false, weightDecay: Double = 0) {
        self.lr = lr
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    /// torch's constraint: Nesterov momentum needs μ > 0 and zero dampening.
    public init(_ p: Parameters) throws(ConfigurationError) {
        self.init(lr: p.real("lr"), momentum: p.real("momentum"), dampening: p.real("dampening"),
                  nesterov: p.boolean("nesterov"), weightDecay: p.real("weight_decay"))
        if nesterov && (momentum <= 0 || dampening != 0) {
            throw ConfigurationError("\(p.owner): nesterov=true requires momentum > 0 and dampening=0 (as torch.optim.SGD)")
        }
    }

    public static var groupParameters: [String] { ["lr", "momentum", "dampening", "nesterov", "weight_decay"] }

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
    /// torch.optim.SGD's hyper-parameters with the given momentum defaults, and the schedule's.
    static func torchSGDParameters(momentum: Double, nesterov: Bool) -> [ParameterDeclaration] {
        [
            .real("lr", 1e-3, range: 0...1e12, "learning rate η₀"),
            .real("momentum", momentum, range: 0...1, "momentum factor μ"),
            .real("dampening", 0, range: 0...1, "dampening τ of the momentum buffer"),
            .boolean("nesterov", nesterov, "Nesterov momentum (torch's form)"),
            .real("weight_decay", 0, range: 0...1e12, "L2 penalty λ added to the gradient"),
        ] + Schedule.parameters
    }

    /// Mini-batch SGD (`SGD`), one batch of `batch_size` samples per step.
    public static let sgd = OptimizerEntry(
        name: "sgd",
        summary: "mini-batch SGD with torch.optim.SGD's momentum, dampening, Nesterov and weight decay",
        parameters: torchSGDParameters(momentum: 0, nesterov: false)
            + [.integer("batch_size", 1, range: 1...1e9, "samples per mini-batch (drawn without replacement)")],
        float: { p, groups throws(ConfigurationError) in try SGD<Float>(p, groups: groups, batchSize: p.integer("batch_size")) },
        double: { p, groups throws(ConfigurationError) in try SGD<Double>(p, groups: groups, batchSize: p.integer("batch_size")) })
}
