import OptBenchCore
import OptBenchKernels

/// K-FAC, Kronecker-factored approximate curvature (Martens & Grosse, 2015), for the dense
/// layers of a network: each layer's block of the Fisher is approximated by a Kronecker product
/// of two small factors, which makes its inverse cheap.
///
/// For dense layer ℓ, s = W ā with ā = [a; 1] (homogeneous inputs: W here is [W b], so weight
/// and bias are preconditioned jointly; without a bias ā = a), per-sample output gradients
/// g_b = ∂ℓ_b/∂s_b and the mini-batch B_t:
///
///     Â_ℓ = (1/|B|) Σ_b ā_b ā_bᵀ,   Ĝ_ℓ = (1/|B|) Σ_b g_b g_bᵀ
///     A_ℓ ← ε_t A_ℓ + (1 − ε_t) Â_ℓ,  G_ℓ ← ε_t G_ℓ + (1 − ε_t) Ĝ_ℓ,   ε_t = min(1 − 1/t, ε)
///     F_ℓ ≈ A_ℓ ⊗ G_ℓ   (so F_ℓ vec V = vec(G_ℓ V A_ℓ))
///     Δ_ℓ = (G_ℓ + (γ/π_ℓ) I)⁻¹ (∇_ℓ f_B + ω W_ℓ) (A_ℓ + π_ℓ γ I)⁻¹
///     γ = √(λ + ω),   π_ℓ = √((tr A_ℓ / dim A_ℓ) / (tr G_ℓ / dim G_ℓ))
///
/// (ε = `stat_decay`, λ = `damping`, ω = `weight_decay`): factored Tikhonov damping, the
/// paper's §6.3, with the weight decay's curvature ωI counted in γ as there. ε_t starts at 0,
/// so the first step's factors are that batch's statistics (§5). The damped inverses are
/// recomputed every T = `update_interval` steps (t = 1, T + 1, 2T + 1, …) by Cholesky; the
/// factors are averaged every step. Parameters outside dense layers (normalisation scales and
/// shifts, the gain and direction of weight-normalised layers, whose layer-view gradient is
/// not ∇_V f) take the plain gradient Δ = ∇f_B + ωw.
///
/// With `rescale`, the layers' step is scaled by the minimiser of the quadratic model along
/// it (§6.4), M(−αΔ) = −α ∇ᵀΔ + ½α² Δᵀ(F_B + (λ + ω)I)Δ:
///
///     α_t = ∇ᵀΔ / (Δᵀ F_B Δ + (λ + ω)‖Δ‖²),   Δᵀ F_B Δ = (1/|B|) Σ_b (Σ_ℓ g_{ℓ,b}ᵀ Δ_ℓ ā_{ℓ,b})²,
///
/// with ∇ = ∇f_B + ωθ on the layers and F_B the exact mini-batch empirical Fisher of the dense
/// layers' parameters (their per-sample gradients are g_b ā_bᵀ), read from the layer view at no
/// extra pass. α = 1 without it, or when the model is degenerate. The update is torch-style momentum on αΔ:
///
///     v_1 = u_1,  v_t = μ v_{t−1} + u_t,  u = αΔ (dense layers), Δ (the rest)
///     θ_t = θ_{t−1} − η_t v_t,   η_t = lr·s(epoch)
///
/// (the defaults, `rescale` with lr = 1 and momentum 0, are the paper's rescaled update without
/// its adaptively chosen momentum.) The Fisher is the empirical one: g_b comes from the true
/// labels, so the statistics are the layer view of the mini-batch gradient already charged, |B|/n epochs a
/// step, with no extra backward pass (the paper's true Fisher samples labels from the model,
/// which would need one). Factor averaging, inversions and preconditioning run inside `step`,
/// so they are in the run's wall time. Factors are averaged and inverted in Double whatever
/// the run precision; the batch statistics and the preconditioning products use the run
/// precision's GEMM. The rule needs the layer view (`Requirements` `.layers`); parameter
/// groups are refused (the damping couples every entry of a block).
/// The defaults are the paper's rescaled step (lr 1, no momentum): α already makes each step the
/// model's optimum, so a fixed momentum on top of it overshoots; without `rescale` the
/// natural-gradient step at this damping is far too long for lr 1 (a fixed step wants a damping
/// near 0.1 and lr near 0.1).
public struct KFAC<Scalar: KernelScalar>: Optimizer, ParameterSet {
    @HyperParameter("lr", range: 0...1e12, "learning rate η₀ on the (rescaled) preconditioned step")
    public var lr = 1.0
    @HyperParameter("momentum", range: 0...1, "momentum factor μ (torch.optim.SGD's buffer on the preconditioned step)")
    public var momentum = 0.0
    @HyperParameter("damping", range: 1e-12...1e12, "Tikhonov damping λ: factors A + πγI, G + (γ/π)I, γ = √(λ + weight_decay), π = trace-norm ratio")
    public var damping = 1e-3
    @HyperParameter("stat_decay", range: 0...1, "ε, the factors' running-average decay (ε_t = min(1 − 1/t, ε))")
    public var statDecay = 0.95
    @HyperParameter("update_interval", range: 1...1e9, "T: the damped factors are re-inverted every T steps")
    public var updateInterval = 10
    @HyperParameter("weight_decay", range: 0...1e12, "L2 penalty ω added to the gradient (and to the damping)")
    public var weightDecay = 0.0
    @HyperParameter("rescale", "scale the layers' step by the quadratic model's optimum along it (Martens & Grosse §6.4)")
    public var rescale = true
    @HyperParameter("batch_size", range: 1...1e9,
                    "samples per mini-batch (drawn without replacement); auto = the problem's mini-batch, else 128")
    public var batchSize: BatchSize = .auto
    public var scheduleSettings = ScheduleSettings()

    public init() {}

    /// The learning-rate schedule of η₀ = lr.
    public var schedule: Schedule { scheduleSettings.schedule(lr: lr) }

    /// A dense layer K-FAC preconditions: where [W b] lies in θ, and its two factors.
    struct Block {
        let view: Int            // index in the layer view
        let weightOffset: Int
        let biasOffset: Int?
        let inputs: Int
        let outputs: Int
        var a: KroneckerFactor<Scalar>   // A, (inputs + 1)² with a bias
        var g: KroneckerFactor<Scalar>   // G, outputs²
        var columns: Int { biasOffset == nil ? inputs : inputs + 1 }
    }

    /// The factors of every preconditioned layer, the momentum buffer, and scratch sized for
    /// the largest layer and batch, all allocated here.
    public struct State {
        var blocks: [Block]
        var gradient: [Scalar]
        var direction: [Scalar]   // u
        var velocity: [Scalar]    // v, empty without momentum
        var statistic: [Scalar]   // Â or Ĝ of one layer
        var inversion: [Double]   // KroneckerFactor.invert's scratch
        var matrix: [Scalar]      // [∇W ∇b] of one layer, outputs × columns
        var product: [Scalar]     // G⁻¹[∇W ∇b]
        var delta: [Scalar]       // Δ_ℓ
        var projections: [Scalar] // Δ_ℓ ā_b per sample, batch × outputs
        var sampleDots: [Double]  // Σ_ℓ g_{ℓ,b}ᵀ Δ_ℓ ā_{ℓ,b}
        var sampler: MinibatchSampler
        var iteration = 0
        let usable: Bool
        /// |B_t| of this run.
        let batch: Int
    }

    public var requirements: Requirements { Requirements(.layers) }

    /// The problem's mini-batch or 128, at most n: K-FAC's statistics need a mini-batch.
    public func resolvedBatchSize(problem: Int?, sampleCount: Int) -> Int? {
        let b = batchSize.resolved(problem: problem, sampleCount: sampleCount, fallback: 128)
        return b == 0 ? sampleCount : min(b, sampleCount)
    }

    public func makeState(for oracle: GradientOracle<Scalar>, seed: UInt64) -> State {
        let d = oracle.dimension, layout = oracle.layout
        let usable = oracle.layers != nil && layout.dimension == d
        let blocks = usable ? Self.preconditionedBlocks(oracle.layers!, layout) : []
        let square = blocks.map { max($0.columns * $0.columns, $0.outputs * $0.outputs) }.max() ?? 0
        let side = blocks.map { max($0.columns, $0.outputs) }.max() ?? 0
        let matrix = blocks.map { $0.outputs * $0.columns }.max() ?? 0
        let batch = resolvedBatchSize(problem: oracle.miniBatch, sampleCount: oracle.sampleCount)!
        let widest = blocks.map(\.outputs).max() ?? 0
        return State(blocks: blocks, gradient: .init(repeating: 0, count: d), direction: .init(repeating: 0, count: d),
                     velocity: .init(repeating: 0, count: momentum == 0 ? 0 : d), statistic: .init(repeating: 0, count: square),
                     inversion: .init(repeating: 0, count: KroneckerFactor<Scalar>.scratchCount(size: side)),
                     matrix: .init(repeating: 0, count: matrix), product: .init(repeating: 0, count: matrix),
                     delta: .init(repeating: 0, count: matrix),
                     projections: .init(repeating: 0, count: rescale ? batch * widest : 0),
                     sampleDots: .init(repeating: 0, count: rescale ? batch : 0),
                     sampler: MinibatchSampler(sampleCount: oracle.sampleCount, seed: seed), usable: usable, batch: batch)
    }

    /// The layer view's layers whose weight (and bias) blocks hold exactly W (and b): a
    /// weight-normalised layer (its `.gain` block follows the weight) is left to the plain step.
    static func preconditionedBlocks(_ view: LayerView<Scalar>, _ layout: ParameterLayout) -> [Block] {
        var blocks: [Block] = []
        for (k, layer) in view.layers.enumerated() {
            let all = layout.blocks
            guard all.indices.contains(layer.weightBlock), layer.inputs > 0, layer.outputs > 0 else { continue }
            let weight = all[layer.weightBlock]
            guard weight.count == layer.inputs * layer.outputs else { continue }
            let next = layer.weightBlock + 1
            if all.indices.contains(next), all[next].role == .normScale,
               all[next].name == weight.name.replacingSuffix(".weight", with: ".gain") { continue }
            var biasOffset: Int? = nil
            if let b = layer.biasBlock {
                guard all.indices.contains(b), all[b].count == layer.outputs else { continue }
                biasOffset = all[b].offset
            }
            let columns = layer.inputs + (biasOffset == nil ? 0 : 1)
            blocks.append(Block(view: k, weightOffset: weight.offset, biasOffset: biasOffset, inputs: layer.inputs,
                                outputs: layer.outputs, a: KroneckerFactor(size: columns), g: KroneckerFactor(size: layer.outputs)))
        }
        return blocks
    }

    public func step(_ w: UnsafeMutableBufferPointer<Scalar>, state: inout State, oracle: GradientOracle<Scalar>) {
        guard state.usable, let view = oracle.layers else { return }
        state.iteration += 1
        let t = state.iteration
        let eta = lr * schedule(oracle.epochs)
        let d = w.count, wc = UnsafeBufferPointer(w)
        state.gradient.withUnsafeMutableBufferPointer { g in
            state.sampler.withNextBatch(size: state.batch) { oracle.sampleGradient(at: wc, samples: $0, into: g) }
        }
        // u = ∇f_B + ωw everywhere; the dense layers' entries are then replaced by Δ_ℓ.
        state.direction.withUnsafeMutableBufferPointer { u in
            _ = state.gradient.withUnsafeBufferPointer { u.update(fromContentsOf: $0) }
            if weightDecay != 0 { axpy(d, Scalar(weightDecay), w.baseAddress!, u.baseAddress!) }
        }
        let decay = min(1 - 1 / Double(t), statDecay)
        let refresh = (t - 1) % updateInterval == 0
        let gamma = (damping + weightDecay).squareRoot()
        var slope = 0.0, squares = 0.0, batch = 0
        if rescale { state.sampleDots.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
        for k in state.blocks.indices {
            // Sizes only: a copy of the block would share its factors' storage, and the update
            // below would then copy them.
            let (a, rows, n) = view.activations(state.blocks[k].view)
            let inputs = state.blocks[k].inputs, outputs = state.blocks[k].outputs
            guard n > 0, a.count == n * inputs, rows.count == n * outputs,
                  !rescale || n <= state.sampleDots.count else { continue }
            batch = n
            accumulate(&state, k, inputs: a.baseAddress!, rows: rows.baseAddress!, batch: n, decay: decay)
            if refresh { invert(&state, k, gamma: gamma) }
            let (s, q) = preconditionedStep(&state, k)
            slope += s
            squares += q
            if rescale { project(&state, k, inputs: a.baseAddress!, rows: rows.baseAddress!, batch: n) }
        }
        var alpha = 1.0
        if rescale, batch > 0 {
            let fisher = state.sampleDots.withUnsafeBufferPointer { s in (0..<batch).reduce(0.0) { $0 + s[$1] * s[$1] } } / Double(batch)
            let curvature = fisher + (damping + weightDecay) * squares
            if slope > 0, curvature > 0, (slope / curvature).isFinite { alpha = slope / curvature }
        }
        if alpha != 1 {
            let scale = Scalar(alpha)
            state.direction.withUnsafeMutableBufferPointer { u in
                for block in state.blocks {
                    scal(block.outputs * block.inputs, scale, u.baseAddress! + block.weightOffset)
                    if let b = block.biasOffset { scal(block.outputs, scale, u.baseAddress! + b) }
                }
            }
        }
        state.direction.withUnsafeBufferPointer { u in
            guard momentum != 0 else {
                axpy(d, -Scalar(eta), u.baseAddress!, w.baseAddress!)
                return
            }
            state.velocity.withUnsafeMutableBufferPointer { v in
                axpby(d, 1, u.baseAddress!, t == 1 ? 0 : Scalar(momentum), v.baseAddress!)
                axpy(d, -Scalar(eta), v.baseAddress!, w.baseAddress!)
            }
        }
    }

    /// A ← εA + (1 − ε)Â and G ← εG + (1 − ε)Ĝ from one layer's batch: Â's leading block by
    /// one GEMM (aᵀa/|B|), its last row and column the input means; Ĝ = |B|·ΣrowᵀΣrow since each
    /// row of the view is g_b/|B|.
    func accumulate(_ state: inout State, _ k: Int, inputs a: UnsafePointer<Scalar>, rows: UnsafePointer<Scalar>, batch n: Int,
                    decay: Double) {
        let i = state.blocks[k].inputs, o = state.blocks[k].outputs, c = state.blocks[k].columns
        let hasBias = state.blocks[k].biasOffset != nil
        state.statistic.withUnsafeMutableBufferPointer { sp in
            let s = sp.baseAddress!
            gemm(.transposed, .none, i, i, n, 1 / Scalar(n), a, i, a, i, 0, s, c)
            if hasBias {
                for j in 0..<i {
                    var sum = 0.0
                    for b in 0..<n { sum += Double(a[b * i + j]) }
                    let mean = Scalar(sum / Double(n))
                    s[j * c + i] = mean
                    s[i * c + j] = mean
                }
                s[i * c + i] = 1
            }
            state.blocks[k].a.update(with: s, decay: decay)
            gemm(.transposed, .none, o, o, n, Scalar(n), rows, o, rows, o, 0, s, o)
            state.blocks[k].g.update(with: s, decay: decay)
        }
    }

    /// The damped inverses (A + πγI)⁻¹ and (G + (γ/π)I)⁻¹, π = √(mean eigenvalue ratio), 1 when
    /// either factor is zero or not finite.
    func invert(_ state: inout State, _ k: Int, gamma: Double) {
        let ratio = state.blocks[k].a.meanEigenvalue / state.blocks[k].g.meanEigenvalue
        let pi = ratio > 0 && ratio.isFinite ? ratio.squareRoot() : 1
        state.inversion.withUnsafeMutableBufferPointer { scratch in
            _ = state.blocks[k].a.invert(shift: pi * gamma, scratch: scratch.baseAddress!)
            _ = state.blocks[k].g.invert(shift: gamma / pi, scratch: scratch.baseAddress!)
        }
    }

    /// Δ_ℓ = G⁻¹ [∇W ∇b] A⁻¹ (damped inverses) into `direction`, from the [∇W ∇b] + ω[W b] there;
    /// returns (∇ᵀΔ_ℓ, ‖Δ_ℓ‖²) for the rescaling.
    func preconditionedStep(_ state: inout State, _ k: Int) -> (slope: Double, squares: Double) {
        let block = state.blocks[k]
        let i = block.inputs, o = block.outputs, c = block.columns
        return state.direction.withUnsafeMutableBufferPointer { up in
            state.matrix.withUnsafeMutableBufferPointer { mp in
                state.product.withUnsafeMutableBufferPointer { pp in
                    state.delta.withUnsafeMutableBufferPointer { dp in
                        block.g.inverse.withUnsafeBufferPointer { gInverse in
                            block.a.inverse.withUnsafeBufferPointer { aInverse in
                                let u = up.baseAddress!, m = mp.baseAddress!, p = pp.baseAddress!, delta = dp.baseAddress!
                                for r in 0..<o {
                                    (m + r * c).update(from: u + block.weightOffset + r * i, count: i)
                                    if let b = block.biasOffset { m[r * c + i] = u[b + r] }
                                }
                                gemm(.none, .none, o, c, o, 1, gInverse.baseAddress!, o, m, c, 0, p, c)
                                gemm(.none, .none, o, c, c, 1, p, c, aInverse.baseAddress!, c, 0, delta, c)
                                for r in 0..<o {
                                    (u + block.weightOffset + r * i).update(from: delta + r * c, count: i)
                                    if let b = block.biasOffset { u[b + r] = delta[r * c + i] }
                                }
                                let count = o * c
                                return (Double(dot(count, m, delta)), Double(dot(count, delta, delta)))
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds g_bᵀ Δ_ℓ ā_b = |B|·row_bᵀ(Δ_ℓ ā_b) to each sample's directional derivative: the
    /// products Δ_ℓ ā_b for the whole batch by one GEMM, plus the bias column.
    func project(_ state: inout State, _ k: Int, inputs a: UnsafePointer<Scalar>, rows: UnsafePointer<Scalar>, batch n: Int) {
        let block = state.blocks[k]
        let i = block.inputs, o = block.outputs, c = block.columns
        state.projections.withUnsafeMutableBufferPointer { pp in
            state.delta.withUnsafeBufferPointer { dp in
                state.sampleDots.withUnsafeMutableBufferPointer { sums in
                    let p = pp.baseAddress!, delta = dp.baseAddress!
                    gemm(.none, .transposed, n, o, i, 1, a, i, delta, c, 0, p, o)
                    if block.biasOffset != nil {
                        for b in 0..<n { for r in 0..<o { p[b * o + r] += delta[r * c + i] } }
                    }
                    for b in 0..<n { sums[b] += Double(n) * Double(dot(o, rows + b * o, p + b * o)) }
                }
            }
        }
    }
}

extension String {
    /// The string with `suffix` replaced by `replacement`, or nil when it does not end so.
    fileprivate func replacingSuffix(_ suffix: String, with replacement: String) -> String? {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) + replacement : nil
    }
}

extension OptimizerEntry {
    /// K-FAC for dense layers (`KFAC`).
    public static let kfac = OptimizerEntry(
        name: "kfac",
        summary: "K-FAC (Martens & Grosse): Kronecker-factored empirical Fisher per dense layer, factored Tikhonov damping, momentum",
        float: KFAC<Float>.self, double: KFAC<Double>.self,
        groupsRefused: "its damping and step scale couple every entry of a layer's block")
}
