import OptBenchCore
import OptBenchKernels

/// Prodigy (Mishchenko & Defazio, 2024), exactly prodigyopt.Prodigy (prodigyopt==1.1.2): Adam
/// whose step size is an estimate d_k of the distance to the solution, step k = 0, 1, …:
///
///     g = ∇f_{B}(θ_k) (+ λθ_k without decouple),   γ_k = η_k d_k b_k   (b_k = √(1 − β₂^{k+1}) / (1 − β₁^{k+1}) or 1)
///     r_{k+1} = β₃ r_k + (d_k/d₀) γ_k ⟨g, θ₀ − θ_k⟩
///     m ← β₁ m + d_k (1 − β₁) g,   v ← β₂ v + d_k² (1 − β₂) g ∘ g
///     s ← β₃ s + (d_k/d₀)·(d_k with safeguard_warmup, else γ_k)·g
///     d̂ = c·r_{k+1} / ‖s‖₁,   d_{k+1} = min(d̂_max, d'·ω)   with d' = max(d_k, d̂) while d_k = d₀ (else d_k),
///                                                          d̂_max = max(d̂_max, d̂), ω = growth_rate (none: ∞)
///     θ_{k+1} = θ_k − γ_k λ θ_k (decouple) − γ_k m / (√v + d_{k+1} ε)     (β₁ = 0: γ_k d_{k+1} g in place of γ_k m)
///
/// with η_k = lr·s(epoch), c = d_coef, β₃ = beta3 (none: √β₂), and the sums over every block
/// of the layout together (d is global). The inner product and s read every slice_p-th entry
/// of each block (torch's `p.flatten()[::slice_p]`); θ₀ is the start. When ‖s‖₁ = 0 the step
/// stops before r, d and θ change (the moments have moved), as the reference returns early.
/// Names and defaults are prodigyopt's.
///
/// Parameter groups are refused: d is one estimate for all parameters.
public struct Prodigy<Scalar: KernelScalar>: Optimizer, ParameterSet, DrawsMiniBatches {
    @HyperParameter("lr", range: 0...1e12, "multiplier η₀ of the estimated step size d")
    public var lr = 1.0
    @HyperParameter("betas", range: 0...1, "decays β₁,β₂ of the moments, each in [0, 1) (β₁ = 0: no first moment)")
    public var betas = RealPair(0.9, 0.999)
    @HyperParameter("beta3", range: 0...1, "decay β₃ of the d-estimate accumulators; none: √β₂")
    public var beta3: Double? = nil
    @HyperParameter("eps", range: 0...1e12, "ε: the denominator is √v + dε")
    public var eps = 1e-8
    @HyperParameter("weight_decay", range: 0...1e12, "weight decay λ")
    public var weightDecay = 0.0
    @HyperParameter("decouple", "θ ← θ − λγθ (AdamW-style) instead of adding λθ to the gradient")
    public var decouple = true
    @HyperParameter("use_bias_correction", "scale the step by √(1 − β₂^{k+1}) / (1 − β₁^{k+1})")
    public var useBiasCorrection = false
    @HyperParameter("safeguard_warmup", "accumulate s with d instead of γ = ηd")
    public var safeguardWarmup = false
    @HyperParameter("d0", range: 1e-300...1e12, "initial estimate d₀")
    public var d0 = 1e-6
    @HyperParameter("d_coef", range: 0...1e12, "multiplier c of the estimate d̂")
    public var dCoef = 1.0
    @HyperParameter("growth_rate", range: 1...1e300, "maximum growth factor ω of d per step; none: unbounded (the reference's inf)")
    public var growthRate: Double? = nil
    @HyperParameter("slice_p", range: 1...1e9, "the estimate reads every slice_p-th entry of each block")
    public var sliceP = 1
    @HyperParameter("batch_size", range: 0...1e9, BatchSettings.summary)
    public var batchSize: BatchSize = .auto
    public var scheduleSettings = ScheduleSettings()

    public init() {}

    public func validate(owner: String) throws(ConfigurationError) { try checkBetas(betas, owner: owner) }

    public var requirements: Requirements { Requirements() }

    public struct State {
        var gradient: BlockGradient<Scalar>
        var first: [Scalar]
        var second: [Scalar]
        var accumulator: [Scalar]   // s, over the sliced entries
        var start: [Scalar]         // θ₀, over the sliced entries
        var sliced: [Int]           // the sliced entries' indices in θ
        var d: Double, dMax: Double, numerator = 0.0
        var k = 0
    }

    public func makeState(for oracle: GradientOracle<Scalar>, seed: UInt64) -> State {
        let gradient = BlockGradient(oracle: oracle, batchSize: batchSize(on: oracle), schedule: scheduleSettings.schedule(lr: lr), seed: seed)
        var sliced: [Int] = []
        for block in gradient.blocks { sliced += stride(from: block.offset, to: block.range.upperBound, by: sliceP) }
        let d = oracle.dimension
        return State(gradient: gradient, first: .init(repeating: 0, count: betas.first > 0 ? d : 0),
                     second: .init(repeating: 0, count: d), accumulator: .init(repeating: 0, count: sliced.count),
                     start: .init(repeating: 0, count: sliced.count), sliced: sliced, d: d0, dMax: d0)
    }

    public func step(_ w: UnsafeMutableBufferPointer<Scalar>, state: inout State, oracle: GradientOracle<Scalar>) {
        let eta = lr * state.gradient.schedule(oracle.epochs)
        state.gradient.draw(at: w, oracle: oracle)
        let (beta1, beta2) = (betas.first, betas.second)
        let beta3 = self.beta3 ?? beta2.squareRoot()
        let k = Double(state.k)
        let correction = useBiasCorrection ? (1 - Math.pow(beta2, k + 1)).squareRoot() / (1 - Math.pow(beta1, k + 1)) : 1
        let d = state.d, dlr = d * eta * correction
        let numerator = state.numerator * beta3
        let firstStep = state.k == 0
        let p = w.baseAddress!
        var delta = 0.0, denominator = 0.0
        state.gradient.gradient.withUnsafeMutableBufferPointer { gp in
            let g = gp.baseAddress!, n = gp.count
            if weightDecay != 0 && !decouple { for i in 0..<n { g[i] = Scalar(Double(g[i]) + weightDecay * Double(p[i])) } }
            state.sliced.withUnsafeBufferPointer { idx in
                state.start.withUnsafeMutableBufferPointer { p0 in
                    state.accumulator.withUnsafeMutableBufferPointer { s in
                        if firstStep { for j in idx.indices { p0[j] = p[idx[j]] } }
                        let sWeight = (d / d0) * (safeguardWarmup ? d : dlr)
                        var dot = 0.0
                        for j in idx.indices {
                            let i = idx[j], gi = Double(g[i])
                            dot += gi * (Double(p0[j]) - Double(p[i]))
                            s[j] = Scalar(beta3 * Double(s[j]) + sWeight * gi)
                            denominator += abs(Double(s[j]))
                        }
                        delta = (d / d0) * dlr * dot
                    }
                }
            }
            state.second.withUnsafeMutableBufferPointer { vp in
                let v = vp.baseAddress!
                for i in 0..<n { v[i] = Scalar(beta2 * Double(v[i]) + d * d * (1 - beta2) * Double(g[i]) * Double(g[i])) }
            }
            if beta1 > 0 {
                state.first.withUnsafeMutableBufferPointer { mp in
                    let m = mp.baseAddress!
                    for i in 0..<n { m[i] = Scalar(beta1 * Double(m[i]) + d * (1 - beta1) * Double(g[i])) }
                }
            }
        }
        guard denominator != 0 else { return }
        var dNew = d
        if eta > 0 {
            let total = numerator + delta
            state.numerator = total
            let dHat = dCoef * total / denominator
            if d == d0 { dNew = max(d, dHat) }
            state.dMax = max(state.dMax, dHat)
            dNew = min(state.dMax, dNew * (growthRate ?? .infinity))
        } else {
            state.numerator = numerator
        }
        state.d = dNew
        let floor = dNew * eps
        state.gradient.gradient.withUnsafeBufferPointer { gp in
            state.second.withUnsafeBufferPointer { vp in
                state.first.withUnsafeBufferPointer { mp in
                    for i in 0..<gp.count {
                        let denom = Double(vp[i]).squareRoot() + floor
                        var pi = Double(p[i])
                        if weightDecay != 0 && decouple { pi = Double(Scalar(pi + -weightDecay * dlr * pi)) }
                        if beta1 > 0 {
                            pi += -dlr * (Double(mp[i]) / denom)
                        } else {
                            pi += -dlr * dNew * (Double(gp[i]) / denom)
                        }
                        p[i] = Scalar(pi)
                    }
                }
            }
        }
        state.k += 1
    }
}

extension OptimizerEntry {
    /// Prodigy (`Prodigy`), prodigyopt's rule and defaults.
    public static let prodigy = OptimizerEntry(
        name: "prodigy",
        summary: "Prodigy (prodigyopt): Adam with a learned global step size d estimating the distance to the solution",
        float: Prodigy<Float>.self, double: Prodigy<Double>.self,
        groupsRefused: "its step-size estimate d is global")
}
