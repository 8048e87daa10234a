import OptBenchCore
import OptBenchKernels

/// Adafactor (Shazeer & Stern, 2018), exactly torch.optim.Adafactor (torch==2.13.0, the
/// single-tensor path), per block θ_b of the layout (torch's parameter tensor), step t:
///
///     g_t = ∇f_{B_t}(θ_{t−1}),   β̂_t = t^{c}                      (c = beta2_decay ≤ 0)
///     ρ_t = min(η_t, 1/√t),   α_t = max(ε₂, RMS(θ_{b,t−1}))·ρ_t    (RMS(x) = ‖x‖/√numel)
///     θ_b ← (1 − η_t λ) θ_b
///     factored (blocks of ≥ 2 dims, over their last two, q × p):
///         R_t = lerp(R_{t−1}, mean_cols(g_t²), β̂_t),   C_t = lerp(C_{t−1}, mean_rows(g_t²), β̂_t)
///         V̂_t = R_t C_t / max(mean(R_t), ε₁)
///     1-D blocks:  V̂_t = V_t = lerp(V_{t−1}, g_t², β̂_t)
///     U_t = g_t / √max(V̂_t, ε₁²)
///     θ_b ← θ_b − α_t / max(1, RMS(U_t)/d) · U_t
///
/// with η_t = lr·s(epoch), λ = weight_decay (scaled by η_t, not the relative step ρ_t), ε₁ =
/// `eps1` (none: the machine epsilon of the run's precision) and ε₂ = `eps2` (torch's tuple
/// `eps=(eps1, eps2)` split in two). There is no first moment; R, C and V start at 0. A block
/// of more than two dims keeps one (R, C) pair per index of its leading dims, as torch's
/// broadcasting does. Names and defaults are torch's; `maximize` is not offered.
///
/// Parameter groups are refused: RMS(θ_b), the factored moments and the clip are per block.
public struct Adafactor<Scalar: KernelScalar>: Optimizer, ParameterSet, DrawsMiniBatches {
    @HyperParameter("lr", range: 0...1e12, "η₀, the cap of the relative step size ρ_t = min(η_t, 1/√t)")
    public var lr = 1e-2
    @HyperParameter("beta2_decay", range: -1e3...0, "c: the second-moment weight at step t is t^c")
    public var beta2Decay = -0.8
    @HyperParameter("eps1", range: 0...1e12, "ε₁, floor of √V̂ and of the row-mean normaliser; none: the precision's machine epsilon")
    public var eps1: Double? = nil
    @HyperParameter("eps2", range: 0...1e12, "ε₂, floor of the block's RMS in the step size")
    public var eps2 = 1e-3
    @HyperParameter("d", range: 1...1e12, "clipping threshold of the update's RMS (≥ 1)")
    public var d = 1.0
    @HyperParameter("weight_decay", range: 0...1e12, "λ: θ ← (1 − η_t λ)θ before the step")
    public var weightDecay = 0.0
    @HyperParameter("batch_size", range: 0...1e9, BatchSettings.summary)
    public var batchSize: BatchSize = .auto
    public var scheduleSettings = ScheduleSettings()

    public init() {}

    public var requirements: Requirements { Requirements() }

    /// Per block: the offset of its factors or second moment in `moments`; R and C rows.
    struct BlockPlan {
        let range: Range<Int>
        let batches: Int, rows: Int, columns: Int   // factored: batches × rows × columns; else rows = 0
        let moments: Int
    }

    public struct State {
        var gradient: BlockGradient<Scalar>
        var plans: [BlockPlan]
        var moments: [Scalar]
        var update: [Double]
        var iteration = 0
    }

    public func makeState(for oracle: GradientOracle<Scalar>, seed: UInt64) -> State {
        let gradient = BlockGradient(oracle: oracle, batchSize: batchSize(on: oracle), schedule: scheduleSettings.schedule(lr: lr), seed: seed)
        var plans: [BlockPlan] = [], size = 0, widest = 0
        for block in gradient.blocks {
            widest = max(widest, block.count)
            if block.shape.count >= 2 {
                let q = block.shape[block.shape.count - 2], p = block.shape[block.shape.count - 1]
                let batches = block.count / (q * p)
                plans.append(BlockPlan(range: block.range, batches: batches, rows: q, columns: p, moments: size))
                size += batches * (q + p)
            } else {
                plans.append(BlockPlan(range: block.range, batches: 1, rows: 0, columns: 0, moments: size))
                size += block.count
            }
        }
        return State(gradient: gradient, plans: plans, moments: .init(repeating: 0, count: size),
                     update: .init(repeating: 0, count: widest))
    }

    public func step(_ w: UnsafeMutableBufferPointer<Scalar>, state: inout State, oracle: GradientOracle<Scalar>) {
        let eta = lr * state.gradient.schedule(oracle.epochs)
        state.gradient.draw(at: w, oracle: oracle)
        state.iteration += 1
        let t = Double(state.iteration)
        let weight = Math.pow(t, beta2Decay)
        let rho = min(eta, 1 / t.squareRoot())
        let floor = eps1 ?? Double(Scalar.ulpOfOne)
        let floorSquared = floor * floor
        let keep = 1 - eta * weightDecay
        let plans = state.plans
        state.gradient.gradient.withUnsafeBufferPointer { gp in
            state.moments.withUnsafeMutableBufferPointer { mp in
                state.update.withUnsafeMutableBufferPointer { up in
                    let u = up.baseAddress!
                    for plan in plans {
                        let n = plan.range.count
                        let p = w.baseAddress! + plan.range.lowerBound, g = gp.baseAddress! + plan.range.lowerBound
                        let alpha = max(eps2, sumOfSquares(p, n).squareRoot() / Double(n).squareRoot()) * rho
                        if weightDecay != 0 { for i in 0..<n { p[i] = Scalar(Double(p[i]) * keep) } }
                        let m = mp.baseAddress! + plan.moments
                        if plan.rows > 0 {
                            let q = plan.rows, c = plan.columns
                            for k in 0..<plan.batches {
                                let gk = g + k * q * c, uk = u + k * q * c
                                let r = m + k * (q + c), col = r + q
                                for i in 0..<q {
                                    let norm = sumOfSquares(gk + i * c, c).squareRoot()
                                    r[i] = Scalar(torchLerp(Double(r[i]), norm * norm / Double(c), weight))
                                }
                                for j in 0..<c {
                                    var s = 0.0
                                    for i in 0..<q { s += Double(gk[i * c + j]) * Double(gk[i * c + j]) }
                                    let norm = s.squareRoot()
                                    col[j] = Scalar(torchLerp(Double(col[j]), norm * norm / Double(q), weight))
                                }
                                var mean = 0.0
                                for i in 0..<q { mean += Double(r[i]) }
                                let normaliser = max(mean / Double(q), floor)
                                for i in 0..<q {
                                    for j in 0..<c {
                                        let v = Double(r[i]) * Double(col[j]) / normaliser
                                        uk[i * c + j] = Double(gk[i * c + j]) * (1 / max(v, floorSquared).squareRoot())
                                    }
                                }
                            }
                        } else {
                            for i in 0..<n {
                                let gi = Double(g[i])
                                let v = torchLerp(Double(m[i]), gi * gi, weight)
                                m[i] = Scalar(v)
                                u[i] = gi * (1 / max(Double(Scalar(v)), floorSquared).squareRoot())
                            }
                        }
                        var squares = 0.0
                        for i in 0..<n { squares += u[i] * u[i] }
                        let denominator = max(1, squares.squareRoot() / (Double(n).squareRoot() * d))
                        let scale = -alpha / denominator
                        for i in 0..<n { p[i] = Scalar(Double(p[i]) + scale * u[i]) }
                    }
                }
            }
        }
    }
}

extension OptimizerEntry {
    /// Adafactor (`Adafactor`), torch.optim.Adafactor's rule and defaults.
    public static let adafactor = OptimizerEntry(
        name: "adafactor",
        summary: "Adafactor (torch.optim.Adafactor): factored second moments per matrix block, relative step size, update clipping",
        float: Adafactor<Float>.self, double: Adafactor<Double>.self,
        groupsRefused: "its relative step, factored moments and clipping are per block")
}
