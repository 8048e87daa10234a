import OptBenchCore
import OptBenchKernels

/// LARS (You, Gitman & Ginsburg, 2017), exactly timm.optim.Lars (timm==1.0.31: NVIDIA apex's
/// LARC followed by torch.optim.SGD's momentum), per block θ_b of the layout (torch's parameter
/// tensor), step t:
///
///     g_t = ∇f_{B_t}(θ_{t−1})
///     λ_b ≠ 0 or always_adapt:
///         r_b = η_tc ‖θ_b‖ / (‖g_t‖ + λ_b ‖θ_b‖ + ε)   (1 if ‖θ_b‖ or ‖g_t‖ is 0; LARC clip: min(r_b/η_t, 1))
///         g_t ← r_b (g_t + λ_b θ_b)
///     b_1 = g_1,   b_t = μ b_{t−1} + (1 − τ) g_t,   d_t = g_t + μ b_t (nesterov) or b_t   (μ = 0: d_t = g_t)
///     θ_b ← θ_b − η_t d_t
///
/// with η_t = lr·s(epoch), η_tc = trust_coeff, τ = dampening. λ_b is timm's factory grouping
/// (`filter_bias_and_bn`): with it and λ = weight_decay ≠ 0, blocks of at most one dim get
/// λ_b = 0 (plain SGD momentum unless always_adapt), the others λ; without it every block gets
/// λ. Names and defaults are timm's.
///
/// Parameter groups are refused: the trust ratio is per block.
public struct LARS<Scalar: KernelScalar>: Optimizer, ParameterSet, DrawsMiniBatches {
    @HyperParameter("lr", range: 0...1e12, "learning rate η₀")
    public var lr = 1.0
    @HyperParameter("momentum", range: 0...1, "momentum factor μ")
    public var momentum = 0.0
    @HyperParameter("dampening", range: 0...1, "dampening τ of the momentum")
    public var dampening = 0.0
    @HyperParameter("weight_decay", range: 0...1e12, "weight decay λ (inside the trust ratio and added to g)")
    public var weightDecay = 0.0
    @HyperParameter("nesterov", "Nesterov momentum (needs momentum > 0 and dampening 0)")
    public var nesterov = false
    @HyperParameter("trust_coeff", range: 0...1e12, "η_tc, the trust coefficient")
    public var trustCoeff = 1e-3
    @HyperParameter("eps", range: 0...1e12, "ε in the trust ratio's denominator")
    public var eps = 1e-8
    @HyperParameter("trust_clip", "LARC clipping: ratio ← min(ratio/η_t, 1)")
    public var trustClip = false
    @HyperParameter("always_adapt", "apply the trust ratio also to blocks whose weight decay is 0")
    public var alwaysAdapt = false
    @HyperParameter("filter_bias_and_bn", "timm's factory grouping: blocks of at most one dim get weight decay 0")
    public var filterBiasAndBN = true
    @HyperParameter("batch_size", range: 0...1e9, BatchSettings.summary)
    public var batchSize: BatchSize = .auto
    public var scheduleSettings = ScheduleSettings()

    public init() {}

    public func validate(owner: String) throws(ConfigurationError) {
        if nesterov, momentum <= 0 || dampening != 0 {
            throw ConfigurationError("\(owner): nesterov=true requires momentum > 0 and dampening 0")
        }
    }

    public var requirements: Requirements { Requirements() }

    public struct State {
        var gradient: BlockGradient<Scalar>
        var buffer: [Scalar]
        var iteration = 0
    }

    public func makeState(for oracle: GradientOracle<Scalar>, seed: UInt64) -> State {
        State(gradient: BlockGradient(oracle: oracle, batchSize: batchSize(on: oracle), schedule: scheduleSettings.schedule(lr: lr), seed: seed),
              buffer: .init(repeating: 0, count: momentum == 0 ? 0 : oracle.dimension))
    }

    public func step(_ w: UnsafeMutableBufferPointer<Scalar>, state: inout State, oracle: GradientOracle<Scalar>) {
        let eta = lr * state.gradient.schedule(oracle.epochs)
        state.gradient.draw(at: w, oracle: oracle)
        state.iteration += 1
        let first = state.iteration == 1
        let blocks = state.gradient.blocks
        state.gradient.gradient.withUnsafeMutableBufferPointer { gp in
            state.buffer.withUnsafeMutableBufferPointer { bp in
                for block in blocks {
                    let n = block.count, o = block.offset
                    let p = w.baseAddress! + o, g = gp.baseAddress! + o
                    let decay = filterBiasAndBN && block.isVector ? 0 : weightDecay
                    if decay != 0 || alwaysAdapt {
                        let wNorm = sumOfSquares(p, n).squareRoot(), gNorm = sumOfSquares(g, n).squareRoot()
                        var ratio = wNorm > 0 && gNorm > 0 ? trustCoeff * wNorm / (gNorm + wNorm * decay + eps) : 1
                        if trustClip { ratio = min(ratio / eta, 1) }
                        for i in 0..<n { g[i] = Scalar((Double(g[i]) + decay * Double(p[i])) * ratio) }
                    }
                    if momentum != 0 {
                        let b = bp.baseAddress! + o
                        for i in 0..<n {
                            let bi = first ? g[i] : Scalar(momentum * Double(b[i]) + (1 - dampening) * Double(g[i]))
                            b[i] = bi
                            g[i] = nesterov ? Scalar(Double(g[i]) + momentum * Double(bi)) : bi
                        }
                    }
                    for i in 0..<n { p[i] = Scalar(Double(p[i]) - eta * Double(g[i])) }
                }
            }
        }
    }
}

extension OptimizerEntry {
    /// LARS (`LARS`), timm.optim.Lars's rule and defaults.
    public static let lars = OptimizerEntry(
        name: "lars",
        summary: "LARS (timm.optim.Lars, apex LARC + SGD): SGD momentum on the gradient scaled per block by the trust ratio",
        float: LARS<Float>.self, double: LARS<Double>.self,
        groupsRefused: "its trust ratio is per block")
}
