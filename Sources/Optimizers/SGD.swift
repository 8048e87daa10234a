import Core
import Kernels

/// Stochastic gradient descent with momentum, exactly torch.optim.SGD's rule.
///
///     g_t = ∇f_{B_t}(θ_{t−1}) + λθ_{t−1}                  (λ = weight_decay)
///     b_1 = g_1;  b_t = μ b_{t−1} + (1 − τ) g_t          (μ = momentum, τ = dampening)
///     d_t = g_t + μ b_t  if nesterov,  b_t  if μ ≠ 0,  g_t  otherwise
///     θ_t = θ_{t−1} − η_t d_t,   η_t = lr·s(epoch)
///
/// B_t is a mini-batch of `batch_size` samples drawn without replacement (reshuffled each
/// pass); `batch_size` 0 means the full gradient (GD, heavy ball, Nesterov's method).
/// - Parameters: `lr` 1e-3, `momentum` 0, `dampening` 0, `nesterov` false, `weight_decay` 0
///   (torch's defaults), `batch_size` 1.
public struct SGD: Optimizer {
    public var lr: Double
    public var momentum: Double
    public var dampening: Double
    public var nesterov: Bool
    public var weightDecay: Double
    /// 0: full gradient.
    public var batchSize: Int
    public var schedule: Schedule

    public init(lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0, nesterov: Bool = false,
                weightDecay: Double = 0, batchSize: Int = 1, schedule: Schedule = .constant) {
        self.lr = lr
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        self.batchSize = batchSize
        self.schedule = schedule
    }

    public struct State {
        var gradient: [Double]
        var buffer: [Double]  // b, torch's momentum_buffer
        var hasBuffer = false
        var sampler: MinibatchSampler
    }

    public var requirements: OracleCapabilities { batchSize == 0 ? .fullGradient : .sampleGradients }

    public func makeState(dimension: Int, sampleCount: Int, seed: UInt64) -> State {
        State(gradient: .init(repeating: 0, count: dimension), buffer: .init(repeating: 0, count: momentum == 0 ? 0 : dimension),
              sampler: MinibatchSampler(sampleCount: batchSize == 0 ? 0 : sampleCount, seed: seed))
    }

    public func step(_ w: UnsafeMutableBufferPointer<Double>, state: inout State, oracle: some GradientOracle) {
        let eta = lr * schedule(oracle.epochs)
        let d = w.count
        let wc = UnsafeBufferPointer(w)
        state.gradient.withUnsafeMutableBufferPointer { g in
            if batchSize == 0 {
                _ = oracle.lossAndGradient(at: wc, into: g)
            } else {
                state.sampler.withNextBatch(size: batchSize) { oracle.sampleGradient(at: wc, samples: $0, into: g) }
            }
            if weightDecay != 0 { axpy(d, weightDecay, w.baseAddress!, g.baseAddress!) }
            guard momentum != 0 else {
                axpy(d, -eta, g.baseAddress!, w.baseAddress!)
                return
            }
            let first = !state.hasBuffer
            state.hasBuffer = true
            state.buffer.withUnsafeMutableBufferPointer { b in
                momentumStep(w, gradient: g, buffer: b, first: first, eta: eta)
            }
        }
    }

    @inline(__always)
    func momentumStep(_ w: UnsafeMutableBufferPointer<Double>, gradient g: UnsafeMutableBufferPointer<Double>,
                      buffer b: UnsafeMutableBufferPointer<Double>, first: Bool, eta: Double) {
        let mu = momentum, keep = 1 - dampening
        for i in 0..<w.count {
            let bi = first ? g[i] : mu * b[i] + keep * g[i]
            b[i] = bi
            w[i] -= eta * (nesterov ? g[i] + mu * bi : bi)
        }
    }

    /// Builds the rule from validated hyper-parameters, with torch's constraint that Nesterov
    /// momentum needs μ > 0 and zero dampening.
    static func make(_ p: Parameters, batchSize: Int) throws(ConfigurationError) -> SGD {
        let rule = SGD(lr: p.real("lr"), momentum: p.real("momentum"), dampening: p.real("dampening"),
                       nesterov: p.boolean("nesterov"), weightDecay: p.real("weight_decay"),
                       batchSize: batchSize, schedule: Schedule(p))
        if rule.nesterov && (rule.momentum <= 0 || rule.dampening != 0) {
            throw ConfigurationError("\(p.owner): nesterov=true requires momentum > 0 and dampening=0 (as torch.optim.SGD)")
        }
        return rule
    }

    /// torch.optim.SGD's hyper-parameters with the given momentum defaults.
    static func parameters(momentum: Double, nesterov: Bool) -> [ParameterSpec] {
        [
            .real("lr", 1e-3, range: 0...1e12, "learning rate η₀"),
            .real("momentum", momentum, range: 0...1, "momentum factor μ"),
            .real("dampening", 0, range: 0...1, "dampening τ of the momentum buffer"),
            .boolean("nesterov", nesterov, "Nesterov momentum (torch's form)"),
            .real("weight_decay", 0, range: 0...1e12, "L2 penalty λ added to the gradient"),
        ] + Schedule.parameters
    }

    public static let entry = OptimizerEntry(
        name: "sgd",
        summary: "mini-batch SGD with torch.optim.SGD's momentum, dampening, Nesterov and weight decay",
        parameters: parameters(momentum: 0, nesterov: false)
            + [.integer("batch_size", 1, range: 1...1e9, "samples per mini-batch (drawn without replacement)")]
    ) { p throws(ConfigurationError) in try SGD.make(p, batchSize: p.integer("batch_size")) }
}
