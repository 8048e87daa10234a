import OptBenchCore
import OptBenchKernels

/// How Muon scales its step for an A × B weight (torch's `adjust_lr_fn`).
public enum MuonLearningRateAdjustment: String, ParameterChoice {
    /// The reference's None: `original`.
    case none
    /// η√max(1, A/B) (Keller Jordan's).
    case original
    /// 0.2η√max(A, B), matching AdamW's update RMS (Moonshot's).
    case matchRMSAdamW = "match_rms_adamw"
}

/// Muon (Jordan et al., 2024), exactly torch.optim.Muon (torch==2.13.0) on the matrix blocks of
/// the layout and torch.optim.AdamW on every other block, as the reference pairs them. For a
/// block W of two dims, A × B (rows × columns), step t:
///
///     G_t = ∇_W f_{B_t}(θ_{t−1})
///     M_t = lerp(M_{t−1}, G_t, 1 − μ)                 (an EMA; M_0 = 0)
///     U_t = lerp(G_t, M_t, μ) (nesterov) or M_t
///     X_0 = U_t / max(‖U_t‖_F, ε)   (transposed first when A > B, back at the end)
///     X_{k+1} = a X_k + (b S_k + c S_k²) X_k,   S_k = X_k X_kᵀ,   k < ns_steps   ((a, b, c) = ns_coefficients)
///     W ← (1 − η_t λ) W − η̃_t X_K,   η̃_t = η_t √max(1, A/B) (original) or 0.2 η_t √max(A, B) (match_rms_adamw)
///
/// with η_t = lr·s(epoch), λ = weight_decay. A block of more than two dims (a convolution's
/// weight) is flattened to shape[0] × (the product of the others), which torch's Muon refuses.
/// Every other block (at most one dim) takes torch.optim.AdamW with the `adamw_`-prefixed
/// hyper-parameters (torch.optim.AdamW's defaults), η'_t = adamw_lr·s(epoch):
///
///     θ ← (1 − η'_t λ')θ,   m ← lerp(m, g, 1 − β₁),   v ← β₂ v + (1 − β₂) g²
///     θ ← θ − (η'_t / (1 − β₁ᵗ)) m / (√v / √(1 − β₂ᵗ) + ε')
///
/// Newton–Schulz runs in the run's precision (torch's runs it in bfloat16). Names and defaults
/// are torch's.
///
/// Parameter groups are refused: the orthogonalisation is per block.
public struct Muon<Scalar: KernelScalar>: Optimizer, ParameterSet, DrawsMiniBatches {
    @HyperParameter("lr", range: 0...1e12, "Muon's learning rate η₀ (before the adjustment)")
    public var lr = 1e-3
    @HyperParameter("weight_decay", range: 0...1e12, "decoupled weight decay λ of the matrix blocks: W ← (1 − ηλ)W")
    public var weightDecay = 0.1
    @HyperParameter("momentum", range: 0...1, "momentum μ of the EMA M ← lerp(M, G, 1 − μ)")
    public var momentum = 0.95
    @HyperParameter("nesterov", "orthogonalise lerp(G, M, μ) instead of M")
    public var nesterov = true
    @HyperParameter("ns_coefficients", range: -1e6...1e6, "(a, b, c) of the quintic Newton–Schulz step, written a,b,c")
    public var nsCoefficients = [3.4445, -4.775, 2.0315]
    @HyperParameter("eps", range: 0...1e12, "floor ε of the Frobenius norm in the normalisation")
    public var eps = 1e-7
    @HyperParameter("ns_steps", range: 0...99, "Newton–Schulz iterations (< 100)")
    public var nsSteps = 5
    @HyperParameter("adjust_lr_fn", "step scale of an A × B block: original (√max(1, A/B)), match_rms_adamw (0.2√max(A, B)); none = original")
    public var adjustLRFn = MuonLearningRateAdjustment.none
    @HyperParameter("adamw_lr", range: 0...1e12, "AdamW's learning rate for the blocks that are not matrices")
    public var adamwLR = 1e-3
    @HyperParameter("adamw_betas", range: 0...1, "AdamW's β₁,β₂, each in [0, 1)")
    public var adamwBetas = RealPair(0.9, 0.999)
    @HyperParameter("adamw_eps", range: 0...1e12, "AdamW's ε added to √v̂")
    public var adamwEps = 1e-8
    @HyperParameter("adamw_weight_decay", range: 0...1e12, "AdamW's decoupled weight decay")
    public var adamwWeightDecay = 1e-2
    @HyperParameter("batch_size", range: 0...1e9, BatchSettings.summary)
    public var batchSize: BatchSize = .auto
    public var scheduleSettings = ScheduleSettings()

    public init() {}

    public func validate(owner: String) throws(ConfigurationError) {
        guard nsCoefficients.count == 3 else {
            throw ConfigurationError("\(owner): ns_coefficients=\(nsCoefficients.map(formatShort).joined(separator: ",")) is not valid; expected three reals a,b,c")
        }
        try checkBetas(adamwBetas, owner: owner)
    }

    public var requirements: Requirements { Requirements() }

    /// A block as Muon or AdamW sees it: rows × columns (a matrix), or a vector (rows 0).
    struct Plan {
        let offset: Int, count: Int
        let rows: Int, columns: Int
    }

    public struct State {
        var gradient: BlockGradient<Scalar>
        var plans: [Plan]
        var first: [Scalar]    // Muon's M on matrices, AdamW's m elsewhere
        var second: [Scalar]   // AdamW's v (unused on matrices)
        var x: [Scalar], y: [Scalar], gram: [Scalar], poly: [Scalar]
        var iteration = 0
    }

    public func makeState(for oracle: GradientOracle<Scalar>, seed: UInt64) -> State {
        let gradient = BlockGradient(oracle: oracle, batchSize: batchSize(on: oracle), schedule: scheduleSettings.schedule(lr: lr), seed: seed)
        var plans: [Plan] = [], widest = 0, side = 0
        for block in gradient.blocks {
            if block.shape.count >= 2 {
                let rows = block.shape[0], columns = block.count / rows
                plans.append(Plan(offset: block.offset, count: block.count, rows: rows, columns: columns))
                widest = max(widest, block.count)
                side = max(side, min(rows, columns))
            } else {
                plans.append(Plan(offset: block.offset, count: block.count, rows: 0, columns: 0))
            }
        }
        let d = oracle.dimension
        return State(gradient: gradient, plans: plans, first: .init(repeating: 0, count: d), second: .init(repeating: 0, count: d),
                     x: .init(repeating: 0, count: widest), y: .init(repeating: 0, count: widest),
                     gram: .init(repeating: 0, count: side * side), poly: .init(repeating: 0, count: side * side))
    }

    public func step(_ w: UnsafeMutableBufferPointer<Scalar>, state: inout State, oracle: GradientOracle<Scalar>) {
        let s = state.gradient.schedule(oracle.epochs)
        state.gradient.draw(at: w, oracle: oracle)
        state.iteration += 1
        let eta = lr * s, adamEta = adamwLR * s
        let t = Double(state.iteration)
        let (beta1, beta2) = (adamwBetas.first, adamwBetas.second)
        let stepSize = adamEta / (1 - Math.pow(beta1, t)), rootCorrection2 = (1 - Math.pow(beta2, t)).squareRoot()
        let plans = state.plans
        let p = w.baseAddress!
        var scratch = (state.x, state.y, state.gram, state.poly)
        state.x = []; state.y = []; state.gram = []; state.poly = []
        defer { (state.x, state.y, state.gram, state.poly) = scratch }
        state.gradient.gradient.withUnsafeBufferPointer { gp in
            state.first.withUnsafeMutableBufferPointer { mp in
                state.second.withUnsafeMutableBufferPointer { vp in
                    for plan in plans {
                        let o = plan.offset, n = plan.count
                        let g = gp.baseAddress! + o, m = mp.baseAddress! + o, v = vp.baseAddress! + o, pb = p + o
                        if plan.rows > 0 {
                            orthogonalisedStep(pb, g, m, plan, eta: eta, scratch: &scratch)
                            continue
                        }
                        let keep = 1 - adamEta * adamwWeightDecay
                        for i in 0..<n {
                            let gi = Double(g[i])
                            let mi = Scalar(torchLerp(Double(m[i]), gi, 1 - beta1))
                            let vi = Scalar(beta2 * Double(v[i]) + (1 - beta2) * gi * gi)
                            m[i] = mi
                            v[i] = vi
                            let pi = Double(Scalar(Double(pb[i]) * keep))
                            let denominator = Double(vi).squareRoot() / rootCorrection2 + adamwEps
                            pb[i] = Scalar(pi + -stepSize * (Double(mi) / denominator))
                        }
                    }
                }
            }
        }
    }

    /// Muon's step on one matrix block: the EMA, the Nesterov look-ahead, Newton–Schulz on the
    /// shorter side, the decay and the adjusted step.
    func orthogonalisedStep(_ p: UnsafeMutablePointer<Scalar>, _ g: UnsafePointer<Scalar>, _ m: UnsafeMutablePointer<Scalar>,
                            _ plan: Plan, eta: Double, scratch: inout ([Scalar], [Scalar], [Scalar], [Scalar])) {
        let rows = plan.rows, columns = plan.columns, count = plan.count
        let transposed = rows > columns
        let short = transposed ? columns : rows, long = transposed ? rows : columns
        let (a, b, c) = (Scalar(nsCoefficients[0]), Scalar(nsCoefficients[1]), Scalar(nsCoefficients[2]))
        let ratio: Double
        switch adjustLRFn {
        case .none, .original: ratio = max(1, Double(rows) / Double(columns)).squareRoot()
        case .matchRMSAdamW: ratio = 0.2 * Double(max(rows, columns)).squareRoot()
        }
        let adjusted = eta * ratio, keep = 1 - eta * weightDecay
        scratch.0.withUnsafeMutableBufferPointer { xp in
            scratch.1.withUnsafeMutableBufferPointer { yp in
                scratch.2.withUnsafeMutableBufferPointer { sp in
                    scratch.3.withUnsafeMutableBufferPointer { qp in
                        var x = xp.baseAddress!, y = yp.baseAddress!
                        let gram = sp.baseAddress!, poly = qp.baseAddress!
                        var squares = 0.0
                        for i in 0..<rows {
                            for j in 0..<columns {
                                let k = i * columns + j, gk = Double(g[k])
                                let mk = Scalar(torchLerp(Double(m[k]), gk, 1 - momentum))
                                m[k] = mk
                                let u = nesterov ? Scalar(torchLerp(gk, Double(mk), momentum)) : mk
                                x[transposed ? j * rows + i : k] = u
                                squares += Double(u) * Double(u)
                            }
                        }
                        let norm = max(squares.squareRoot(), eps)
                        for k in 0..<count { x[k] = Scalar(Double(x[k]) / norm) }
                        for _ in 0..<nsSteps {
                            gemm(.none, .transposed, short, short, long, 1, x, long, x, long, 0, gram, short)
                            poly.update(from: gram, count: short * short)
                            gemm(.none, .none, short, short, short, c, gram, short, gram, short, b, poly, short)
                            y.update(from: x, count: count)
                            gemm(.none, .none, short, long, short, 1, poly, short, x, long, a, y, long)
                            swap(&x, &y)
                        }
                        for i in 0..<rows {
                            for j in 0..<columns {
                                let k = i * columns + j
                                let u = Double(x[transposed ? j * rows + i : k])
                                let decayed = Double(Scalar(Double(p[k]) * keep))
                                p[k] = Scalar(decayed + -adjusted * u)
                            }
                        }
                    }
                }
            }
        }
    }
}

extension OptimizerEntry {
    /// Muon (`Muon`), torch.optim.Muon on the matrix blocks and torch.optim.AdamW on the rest.
    public static let muon = OptimizerEntry(
        name: "muon",
        summary: "Muon (torch.optim.Muon): momentum orthogonalised by Newton–Schulz on matrix blocks, AdamW (adamw_*) on the others",
        float: Muon<Float>.self, double: Muon<Double>.self,
        groupsRefused: "its orthogonalisation is per block and its other blocks take the adamw_ settings")
}
