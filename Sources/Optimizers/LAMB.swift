import OptBenchCore
import OptBenchKernels

/// LAMB (You et al., 2020), exactly timm.optim.Lamb (timm==1.0.31, the port of NVIDIA apex's
/// FusedLAMB), per block θ_b of the layout (torch's parameter tensor), step t:
///
///     g_t = ∇f_{B_t}(θ_{t−1}) / c_t,   c_t = max(1, ‖∇f_{B_t}(θ_{t−1})‖ / G)   (all blocks; G = max_grad_norm)
///     m_t = β₁ m_{t−1} + (1 − β₁) g_t   (β₁ m_{t−1} + g_t without grad_averaging)
///     v_t = β₂ v_{t−1} + (1 − β₂) g_t ∘ g_t
///     u_t = (m_t / (1 − β₁ᵗ)) / (√v_t / √(1 − β₂ᵗ) + ε)   (no corrections without bias_correction)
///     caution: u_t ← u_t ∘ [u_t g_t > 0] / max(mean [u_t g_t > 0], 10⁻³)
///     λ_b ≠ 0:  θ_b ← θ_b − η_t λ_b θ_b (decoupled_decay),  else u_t ← u_t + λ_b θ_b
///     λ_b ≠ 0 or always_adapt:  u_t ← r_b u_t,  r_b = ‖θ_b‖ / ‖u_t‖  (1 if either is 0; ≤ 1 with trust_clip)
///     θ_b ← θ_b − η_t u_t
///
/// with η_t = lr·s(epoch). G = none turns the clip off. λ_b is timm's factory grouping
/// (`create_optimizer_v2` with `filter_bias_and_bn`): with it and λ = weight_decay ≠ 0, blocks
/// of at most one dim (biases, norm scales, a classical problem's vector) get λ_b = 0 — no decay
/// and, unless always_adapt, no trust ratio — and the others λ; without it every block gets λ.
/// corrected_weight_decay decays by η_t²/lr instead of η_t (the same at a constant rate). Names
/// and defaults are timm's; the steps of both of timm's groups advance together.
///
/// Parameter groups are refused: the clip is global and the trust ratio per block.
public struct LAMB<Scalar: KernelScalar>: Optimizer, ParameterSet, DrawsMiniBatches {
    @HyperParameter("lr", range: 0...1e12, "learning rate η₀")
    public var lr = 1e-3
    @HyperParameter("bias_correction", "divide m by 1 − β₁ᵗ and v by 1 − β₂ᵗ")
    public var biasCorrection = true
    @HyperParameter("betas", range: 0...1, "decays β₁,β₂ of the first and second moments, each in [0, 1)")
    public var betas = RealPair(0.9, 0.999)
    @HyperParameter("eps", range: 0...1e12, "ε added to √v̂")
    public var eps = 1e-6
    @HyperParameter("weight_decay", range: 0...1e12, "weight decay λ of the decay group (added to the update, or decoupled)")
    public var weightDecay = 0.01
    @HyperParameter("grad_averaging", "m ← β₁m + (1 − β₁)g; false: m ← β₁m + g")
    public var gradAveraging = true
    @HyperParameter("max_grad_norm", range: 0...1e12, "global gradient-norm clip G: g ← g / max(1, ‖g‖/G); none: off")
    public var maxGradNorm: Double? = 1.0
    @HyperParameter("trust_clip", "LAMBC: trust ratio capped at 1")
    public var trustClip = false
    @HyperParameter("always_adapt", "apply the trust ratio also to blocks whose weight decay is 0")
    public var alwaysAdapt = false
    @HyperParameter("caution", "Cautious-optimizer mask: keep update entries whose sign agrees with g")
    public var caution = false
    @HyperParameter("decoupled_decay", "θ ← θ − ηλθ instead of adding λθ to the update")
    public var decoupledDecay = false
    @HyperParameter("corrected_weight_decay", "with decoupled_decay, decay by η_t²/lr instead of η_t")
    public var correctedWeightDecay = false
    @HyperParameter("filter_bias_and_bn", "timm's factory grouping: blocks of at most one dim get weight decay 0")
    public var filterBiasAndBN = true
    @HyperParameter("batch_size", range: 0...1e9, BatchSettings.summary)
    public var batchSize: BatchSize = .auto
    public var scheduleSettings = ScheduleSettings()

    public init() {}

    public func validate(owner: String) throws(ConfigurationError) {
        try checkBetas(betas, owner: owner)
        if let g = maxGradNorm, g == 0 {
            throw ConfigurationError("\(owner): max_grad_norm=0 is out of range; expected a positive norm or none")
        }
    }

    public var requirements: Requirements { Requirements() }

    public struct State {
        var gradient: BlockGradient<Scalar>
        var first: [Scalar]
        var second: [Scalar]
        var update: [Double]
        var iteration = 0
    }

    public func makeState(for oracle: GradientOracle<Scalar>, seed: UInt64) -> State {
        let gradient = BlockGradient(oracle: oracle, batchSize: batchSize(on: oracle), schedule: scheduleSettings.schedule(lr: lr), seed: seed)
        let d = oracle.dimension, widest = gradient.blocks.map(\.count).max() ?? 0
        return State(gradient: gradient, first: .init(repeating: 0, count: d), second: .init(repeating: 0, count: d),
                     update: .init(repeating: 0, count: widest))
    }

    public func step(_ w: UnsafeMutableBufferPointer<Scalar>, state: inout State, oracle: GradientOracle<Scalar>) {
        let eta = lr * state.gradient.schedule(oracle.epochs)
        state.gradient.draw(at: w, oracle: oracle)
        state.iteration += 1
        let t = state.iteration
        let (beta1, beta2) = (betas.first, betas.second)
        let gradientWeight = gradAveraging ? 1 - beta1 : 1
        let correction1 = biasCorrection ? 1 - Math.pow(beta1, Double(t)) : 1
        let rootCorrection2 = (biasCorrection ? 1 - Math.pow(beta2, Double(t)) : 1).squareRoot()
        let blocks = state.gradient.blocks
        state.gradient.gradient.withUnsafeMutableBufferPointer { gp in
            let g = gp.baseAddress!
            if let limit = maxGradNorm {
                let clip = max(sumOfSquares(g, gp.count).squareRoot() / limit, 1)
                for i in 0..<gp.count { g[i] = Scalar(Double(g[i]) / clip) }
            }
            state.first.withUnsafeMutableBufferPointer { mp in
                state.second.withUnsafeMutableBufferPointer { vp in
                    state.update.withUnsafeMutableBufferPointer { up in
                        let u = up.baseAddress!
                        for block in blocks {
                            let n = block.count, o = block.offset
                            let p = w.baseAddress! + o, gb = g + o, m = mp.baseAddress! + o, v = vp.baseAddress! + o
                            let decay = filterBiasAndBN && block.isVector ? 0 : weightDecay
                            var agreeing = 0
                            for i in 0..<n {
                                let gi = Double(gb[i])
                                let mi = Scalar(beta1 * Double(m[i]) + gradientWeight * gi)
                                let vi = Scalar(beta2 * Double(v[i]) + (1 - beta2) * gi * gi)
                                m[i] = mi
                                v[i] = vi
                                let denominator = Double(vi).squareRoot() / rootCorrection2 + eps
                                u[i] = (Double(mi) / correction1) / denominator
                                if u[i] * gi > 0 { agreeing += 1 }
                            }
                            if caution {
                                let scale = max(Double(agreeing) / Double(n), 1e-3)
                                for i in 0..<n { u[i] = u[i] * Double(gb[i]) > 0 ? u[i] * (1 / scale) : 0 }
                            }
                            if decay != 0 {
                                if decoupledDecay {
                                    let scale = correctedWeightDecay ? eta * eta / lr : eta
                                    for i in 0..<n { p[i] = Scalar(Double(p[i]) + -scale * decay * Double(p[i])) }
                                } else {
                                    for i in 0..<n { u[i] += decay * Double(p[i]) }
                                }
                            }
                            if decay != 0 || alwaysAdapt {
                                let wNorm = sumOfSquares(p, n).squareRoot()
                                var uSquares = 0.0
                                for i in 0..<n { uSquares += u[i] * u[i] }
                                let uNorm = uSquares.squareRoot()
                                var ratio = wNorm > 0 && uNorm > 0 ? wNorm / uNorm : 1
                                if trustClip { ratio = min(ratio, 1) }
                                for i in 0..<n { u[i] *= ratio }
                            }
                            for i in 0..<n { p[i] = Scalar(Double(p[i]) - eta * u[i]) }
                        }
                    }
                }
            }
        }
    }
}

extension OptimizerEntry {
    /// LAMB (`LAMB`), timm.optim.Lamb's rule and defaults.
    public static let lamb = OptimizerEntry(
        name: "lamb",
        summary: "LAMB (timm.optim.Lamb, NVIDIA FusedLAMB): Adam step scaled per block by the trust ratio ‖θ‖/‖u‖, global gradient clip",
        float: LAMB<Float>.self, double: LAMB<Double>.self,
        groupsRefused: "its gradient clip is global and its trust ratio per block")
}
