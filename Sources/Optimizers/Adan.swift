import OptBenchCore
import OptBenchKernels

/// Adan (Xie et al., 2024), exactly the authors' adan.py (github.com/sail-sg/Adan @ 2c65bea,
/// `foreach=False, fused=False`), element-wise after a global clip, step t:
///
///     g_t = c_t ∇f_{B_t}(θ_{t−1}),   c_t = min(1, G / (‖∇f_{B_t}(θ_{t−1})‖ + ε))   (G = max_grad_norm; 0: c_t = 1)
///     Δ_t = g_t − g_{t−1}   (g_0 = g_1, so Δ_1 = 0)
///     m_t = β₁ m_{t−1} + (1 − β₁) g_t
///     d_t = β₂ d_{t−1} + (1 − β₂) Δ_t
///     n_t = β₃ n_{t−1} + (1 − β₃)(g_t + β₂ Δ_t)²
///     u_t = (m_t / (1 − β₁ᵗ) + β₂ d_t / (1 − β₂ᵗ)) / (√n_t / √(1 − β₃ᵗ) + ε)
///     θ_t = (θ_{t−1} − η_t u_t) / (1 + η_t λ)          (proximal decay, the default)
///     θ_t = (1 − η_t λ) θ_{t−1} − η_t u_t               (no_prox)
///
/// with η_t = lr·s(epoch) and λ = weight_decay. The β's are EMA keep-factors (the paper's
/// 1 − β), written `betas=b1,b2,b3`. Names and defaults are the authors'.
///
/// Parameter groups are refused: the gradient clip is global.
public struct Adan<Scalar: KernelScalar>: Optimizer, ParameterSet, DrawsMiniBatches {
    @HyperParameter("lr", range: 0...1e12, "learning rate η₀")
    public var lr = 1e-3
    @HyperParameter("betas", range: 0...1, "keep-factors β₁,β₂,β₃ of m, of the gradient difference and of n, each in [0, 1)")
    public var betas = [0.98, 0.92, 0.99]
    @HyperParameter("eps", range: 0...1e12, "ε added to √n̂")
    public var eps = 1e-8
    @HyperParameter("weight_decay", range: 0...1e12, "decoupled weight decay λ (proximal unless no_prox)")
    public var weightDecay = 0.0
    @HyperParameter("max_grad_norm", range: 0...1e12, "global clip G: g ← min(1, G/(‖g‖ + ε))·g; 0 = off")
    public var maxGradNorm = 0.0
    @HyperParameter("no_prox", "decay θ ← (1 − ηλ)θ before the step instead of θ ← θ/(1 + ηλ) after it")
    public var noProx = false
    @HyperParameter("batch_size", range: 0...1e9, BatchSettings.summary)
    public var batchSize: BatchSize = .auto
    public var scheduleSettings = ScheduleSettings()

    public init() {}

    public func validate(owner: String) throws(ConfigurationError) {
        guard betas.count == 3, betas.allSatisfy({ $0 < 1 }) else {
            throw ConfigurationError("\(owner): betas=\(betas.map(formatShort).joined(separator: ",")) is not valid; expected three betas b1,b2,b3, each in [0, 1)")
        }
    }

    public var requirements: Requirements { Requirements() }

    public struct State {
        var gradient: BlockGradient<Scalar>
        var mean: [Scalar]         // m (exp_avg)
        var difference: [Scalar]   // d (exp_avg_diff)
        var second: [Scalar]       // n (exp_avg_sq)
        var previous: [Scalar]     // g_{t−1} (pre_grad)
        var iteration = 0
    }

    public func makeState(for oracle: GradientOracle<Scalar>, seed: UInt64) -> State {
        let d = oracle.dimension
        return State(gradient: BlockGradient(oracle: oracle, batchSize: batchSize(on: oracle), schedule: scheduleSettings.schedule(lr: lr), seed: seed), mean: .init(repeating: 0, count: d),
                     difference: .init(repeating: 0, count: d), second: .init(repeating: 0, count: d),
                     previous: .init(repeating: 0, count: d))
    }

    public func step(_ w: UnsafeMutableBufferPointer<Scalar>, state: inout State, oracle: GradientOracle<Scalar>) {
        let eta = lr * state.gradient.schedule(oracle.epochs)
        state.gradient.draw(at: w, oracle: oracle)
        state.iteration += 1
        let t = Double(state.iteration), first = state.iteration == 1
        let (beta1, beta2, beta3) = (betas[0], betas[1], betas[2])
        let correction1 = 1 - Math.pow(beta1, t), correction2 = 1 - Math.pow(beta2, t)
        let rootCorrection3 = (1 - Math.pow(beta3, t)).squareRoot()
        state.gradient.gradient.withUnsafeMutableBufferPointer { gp in
            let g = gp.baseAddress!, n = gp.count
            var clip = 1.0
            if maxGradNorm > 0 { clip = min(maxGradNorm / (sumOfSquares(g, n).squareRoot() + eps), 1) }
            state.mean.withUnsafeMutableBufferPointer { mp in
                state.difference.withUnsafeMutableBufferPointer { dp in
                    state.second.withUnsafeMutableBufferPointer { np in
                        state.previous.withUnsafeMutableBufferPointer { pp in
                            let m = mp.baseAddress!, dd = dp.baseAddress!, v = np.baseAddress!, prev = pp.baseAddress!
                            let p = w.baseAddress!
                            for i in 0..<n {
                                let gi = Scalar(Double(g[i]) * clip)
                                if first { prev[i] = gi }
                                let diff = Double(gi) - Double(prev[i])
                                let g64 = Double(gi)
                                let combined = g64 + beta2 * diff
                                let mi = Scalar(beta1 * Double(m[i]) + (1 - beta1) * g64)
                                let di = Scalar(beta2 * Double(dd[i]) + (1 - beta2) * diff)
                                let vi = Scalar(beta3 * Double(v[i]) + (1 - beta3) * combined * combined)
                                m[i] = mi
                                dd[i] = di
                                v[i] = vi
                                let denominator = Double(vi).squareRoot() / rootCorrection3 + eps
                                let u = (Double(mi) / correction1 + beta2 * Double(di) / correction2) / denominator
                                if noProx {
                                    p[i] = Scalar(Double(p[i]) * (1 - eta * weightDecay) - eta * u)
                                } else {
                                    p[i] = Scalar((Double(p[i]) - eta * u) / (1 + eta * weightDecay))
                                }
                                prev[i] = gi
                            }
                        }
                    }
                }
            }
        }
    }
}

extension OptimizerEntry {
    /// Adan (`Adan`), the authors' rule and defaults.
    public static let adan = OptimizerEntry(
        name: "adan",
        summary: "Adan (sail-sg/Adan): Nesterov momentum estimation with gradient-difference moments, proximal decay, global clip",
        float: Adan<Float>.self, double: Adan<Double>.self,
        groupsRefused: "its gradient clip is global")
}
