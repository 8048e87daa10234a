import OptBenchCore
import OptBenchKernels
import OptBenchLinearAlgebra

/// Shampoo's grafting: the diagonal method whose step norm the Shampoo direction takes.
public enum ShampooGrafting: String, ParameterChoice { case none, adagrad, adam, rmsprop }

/// How Shampoo applies `weight_decay` (DistributedShampoo's WeightDecayType).
public enum ShampooWeightDecayType: String, ParameterChoice {
    case l2 = "L2", decoupled = "DECOUPLED", corrected = "CORRECTED", independent = "INDEPENDENT"
}

/// `target_parameter_dimensionality`: the number of dims `merge_small_dims` merges a tensor
/// down to (1, 2), or `inf` (no merging, size-1 dims kept). A word, since `inf` is not a finite
/// number and the blocks here have at most two dims.
public enum ShampooMergeTarget: String, ParameterChoice { case one = "1", two = "2", inf }

/// Shampoo (Gupta, Koren & Singer, 2018) as Meta's DistributedShampoo computes it
/// (github.com/facebookresearch/optimizers @ f60660661194de26d3ee78bae6d15820ff8e583d,
/// `distributed_shampoo`): classic root-inverse Shampoo by eigendecomposition, one device, no
/// iterate averaging, factor and root matrices in float64, with its names and defaults.
///
/// Each layout block is reshaped by `merge_small_dims` (a block of more than two dims is first
/// flattened to (shape[0], rest)): unless the target is `inf`, size-1 dims are dropped and two
/// dims whose product is ≤ `max_preconditioner_dim` are merged into one while more than
/// `target_parameter_dimensionality` dims remain (target 1: a 4 × 5 weight becomes one 20-vector
/// with a full-matrix factor); dims larger than `max_preconditioner_dim` are split into blocks of
/// that size. Per block G of order k (1: a vector, 2: a matrix), step t from 1, with β₃ = β₁
/// when `beta3` is −1:
///
///     L2:        G ← G + λ W
///     factors:   F_i ← β₂ F_i + (1 − β₂) C_i  (β₂ < 1),  F_i ← F_i + C_i  (β₂ = 1);
///                C = g gᵀ (k = 1), C_0 = G Gᵀ, C_1 = Gᵀ G (k = 2);  b₂ = 1 − β₂ᵗ (bias correction, β₂ < 1) else 1
///     grafting:  adagrad V ← V + G²;  adam/rmsprop V ← β_g V + (1 − β_g) G², b_g = 1 − β_gᵗ (adam) else 1
///     roots:     if t = s or (t > s and t ≡ 0 mod f):  A = F_i/b₂ + εI = Q diag(μ) Qᵀ,
///                μ ← μ − min μ + ε if min μ < ε,  X_i = Q diag(μ^(−1/2k)) Qᵀ   (X_i = I before)
///     filter:    Ḡ = lerp(G̃, G, 1 − β₃) (old G̃; β₃ ≠ β₁), G̃ ← lerp(G̃, G, 1 − β₁), Ḡ = G̃ (β₃ = β₁);
///                Ḡ ← Ḡ / (1 − β₃ β₁^(t−1)) with bias correction;  β₁ = 0: Ḡ = G
///     direction: P_s = X_0 ḡ (k = 1) or X_0 Ḡ X_1 (k = 2);  P_g = Ḡ / (√(V/b_g) + ε_g);
///                P = P_g (t < s, grafting), else ‖P_g‖/(‖P_s‖ + 1e-16)·P_s (grafting) or P_s
///     decay:     DECOUPLED P ← P + λW;  CORRECTED P ← P + λ(η₃₂/η)W;  INDEPENDENT P ← P + (λ/η)W
///     W ← W − η₃₂ P
///
/// (s = `start_preconditioning_step`, −1: f = `precondition_frequency`; ε = `epsilon`; λ =
/// `weight_decay`; η₃₂ = float32(η), since DistributedShampoo holds lr in a float32 tensor;
/// norms are per block.) G is the full gradient (one epoch a step), or with a `batch_size` > 0 a
/// mini-batch drawn without replacement. State and arithmetic are Double whatever the run
/// precision; factors, roots and scratch are allocated in `makeState`, the step allocates only
/// inside the eigendecompositions. Parameter groups are refused.
public struct Shampoo<Scalar: KernelScalar>: Optimizer, ParameterSet, DrawsMiniBatches {
    @HyperParameter("lr", range: 0...1e12, "step size η (used as float32(η), as DistributedShampoo)")
    public var lr = 0.01
    @HyperParameter("betas", range: 0...1, "(β₁, β₂): gradient EMA (0: none) and factor EMA (1: plain sum, AdaGrad-like)")
    public var betas = RealPair(0.9, 1.0)
    @HyperParameter("beta3", range: -1...1, "EMA factor of the gradient used in this step; −1: β₁")
    public var beta3 = -1.0
    @HyperParameter("epsilon", range: 1e-300...1e12, "ε added to the factors before the root inverse")
    public var epsilon = 1e-12
    @HyperParameter("weight_decay", range: 0...1e12, "λ")
    public var weightDecay = 0.0
    @HyperParameter("weight_decay_type", "L2 (added to the gradient), DECOUPLED, CORRECTED (× lr/peak lr) or INDEPENDENT (÷ peak lr)")
    public var weightDecayType = ShampooWeightDecayType.decoupled
    @HyperParameter("max_preconditioner_dim", range: 1...1e9, "block size and merge threshold")
    public var maxPreconditionerDim = 1024
    @HyperParameter("precondition_frequency", range: 1...1e9, "steps between root-inverse recomputations")
    public var preconditionFrequency = 1
    @HyperParameter("start_preconditioning_step", range: -1...1e9, "first step that uses Shampoo (≥ precondition_frequency); −1: precondition_frequency")
    public var startPreconditioningStep = -1
    @HyperParameter("use_bias_correction", "bias corrections of the gradient EMA and (β₂ < 1) of the factors")
    public var useBiasCorrection = true
    @HyperParameter("grafting", "grafting_config: none, adagrad, adam or rmsprop")
    public var grafting = ShampooGrafting.none
    @HyperParameter("grafting_beta2", range: -1...1, "the grafting config's β₂; −1: its default (adam 0.999, rmsprop 0.99)")
    public var graftingBeta2 = -1.0
    @HyperParameter("grafting_epsilon", range: 0...1e12, "the grafting config's ε")
    public var graftingEpsilon = 1e-10
    @HyperParameter("target_parameter_dimensionality", "merge_small_dims target: 1, 2 or inf (no merging)")
    public var targetParameterDimensionality = ShampooMergeTarget.one
    @HyperParameter("batch_size", range: 0...1e9, BatchSettings.summary)
    public var batchSize: BatchSize = .auto

    public init() {}

    public func validate(owner: String) throws(ConfigurationError) {
        guard betas.first < 1, betas.second > 0 else {
            throw ConfigurationError("\(owner): betas=\(betas) is out of range; expected β₁ in [0, 1), β₂ in (0, 1]")
        }
        guard startPreconditioningStep == -1 || startPreconditioningStep >= preconditionFrequency else {
            throw ConfigurationError("\(owner): start_preconditioning_step=\(startPreconditioningStep) is below precondition_frequency=\(preconditionFrequency)")
        }
        guard graftingBeta2 == -1 || graftingBeta2 >= 0 else {
            throw ConfigurationError("\(owner): grafting_beta2=\(graftingBeta2) is out of range; expected −1 or a value in [0, 1]")
        }
        guard beta3 == -1 || beta3 >= 0 else {
            throw ConfigurationError("\(owner): beta3=\(beta3) is out of range; expected −1 or a value in [0, 1]")
        }
    }

    /// One preconditioned block: entry (i, j) at offset + i·ld + j (a vector: columns 1), and
    /// where its state lies in the store (-1: absent).
    struct Block {
        let offset: Int, rows: Int, columns: Int, ld: Int, order: Int
        let f0: Int, f1: Int, x0: Int, x1: Int, filtered: Int, graft: Int
        var count: Int { rows * columns }
    }

    public struct State {
        var blocks: [Block]
        var store: [Double]
        var gradient: [Scalar]
        var scratch: [Double]
        let largest: Int, side: Int
        var sampler: MinibatchSampler
        var t = 0
        /// |B_t| of this run; 0: the full gradient.
        let batch: Int
    }

    public var requirements: Requirements { Requirements() }

    var start: Int { startPreconditioningStep == -1 ? preconditionFrequency : startPreconditioningStep }
    var beta3Used: Double { beta3 == -1 ? betas.first : beta3 }
    var graftBeta2: Double { graftingBeta2 != -1 ? graftingBeta2 : grafting == .rmsprop ? 0.99 : 0.999 }

    /// The merged shape of a layout block: (rows, columns, order).
    func merged(_ shape: [Int], count: Int) -> [Int] {
        var dims = shape.count >= 2 ? [shape[0], count / max(shape[0], 1)] : [count]
        if targetParameterDimensionality != .inf {
            dims = dims.filter { $0 != 1 }
            if dims.isEmpty { dims = [1] }
            if targetParameterDimensionality == .one, dims.count == 2, dims[0] * dims[1] <= maxPreconditionerDim {
                dims = [dims[0] * dims[1]]
            }
        }
        return dims
    }

    public func makeState(for oracle: GradientOracle<Scalar>, seed: UInt64) -> State {
        let d = oracle.dimension
        let layout = oracle.layout.dimension == d ? oracle.layout : .single(d)
        var blocks: [Block] = [], size = 0
        func take(_ n: Int) -> Int {
            defer { size += n }
            return size
        }
        let maxDim = maxPreconditionerDim
        for b in layout.blocks where b.count > 0 {
            let dims = merged(b.shape, count: b.count)
            let order = dims.count
            let rows = dims[0], columns = order == 2 ? dims[1] : 1, ld = order == 2 ? columns : 1
            for r0 in stride(from: 0, to: rows, by: maxDim) {
                for c0 in stride(from: 0, to: columns, by: order == 2 ? maxDim : 1) {
                    let r = min(maxDim, rows - r0), c = order == 2 ? min(maxDim, columns - c0) : 1
                    let f0 = take(r * r), f1 = order == 2 ? take(c * c) : -1
                    let x0 = take(r * r), x1 = order == 2 ? take(c * c) : -1
                    let filtered = betas.first != 0 ? take(r * c) : -1
                    let graft = grafting != .none ? take(r * c) : -1
                    blocks.append(Block(offset: b.offset + r0 * ld + c0, rows: r, columns: c, ld: ld, order: order,
                                        f0: f0, f1: f1, x0: x0, x1: x1, filtered: filtered, graft: graft))
                }
            }
        }
        var store = [Double](repeating: 0, count: size)
        for b in blocks {
            for i in 0..<b.rows { store[b.x0 + i * b.rows + i] = 1 }
            if b.x1 >= 0 { for j in 0..<b.columns { store[b.x1 + j * b.columns + j] = 1 } }
        }
        let largest = blocks.map(\.count).max() ?? 0
        let side = blocks.map { max($0.rows, $0.columns) }.max() ?? 0
        return State(blocks: blocks, store: store, gradient: .init(repeating: 0, count: d),
                     scratch: .init(repeating: 0, count: 5 * largest + side * side),
                     largest: largest, side: side, sampler: MinibatchSampler(sampleCount: oracle.sampleCount, seed: seed),
                     batch: batchSize(on: oracle))
    }

    struct Work {
        let g, bar, shampoo, graft, tmp, square: UnsafeMutablePointer<Double>
    }

    public func step(_ w: UnsafeMutableBufferPointer<Scalar>, state: inout State, oracle: GradientOracle<Scalar>) {
        let wc = UnsafeBufferPointer(w), batch = state.batch
        state.gradient.withUnsafeMutableBufferPointer { g in
            if batch == 0 {
                _ = oracle.lossAndGradient(at: wc, into: g)
            } else {
                state.sampler.withNextBatch(size: batch) { oracle.sampleGradient(at: wc, samples: $0, into: g) }
            }
        }
        state.t += 1
        let t = state.t, largest = state.largest
        let blocks = state.blocks
        state.store.withUnsafeMutableBufferPointer { storeBuffer in
            state.scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                state.gradient.withUnsafeBufferPointer { gradient in
                    let s = storeBuffer.baseAddress!, scratch = scratchBuffer.baseAddress!
                    let work = Work(g: scratch, bar: scratch + largest, shampoo: scratch + 2 * largest,
                                    graft: scratch + 3 * largest, tmp: scratch + 4 * largest, square: scratch + 5 * largest)
                    for block in blocks {
                        stepBlock(block, s, work, t: t, gradient: gradient.baseAddress!, w: w.baseAddress!)
                    }
                }
            }
        }
    }

    func stepBlock(_ b: Block, _ s: UnsafeMutablePointer<Double>, _ work: Work, t: Int,
                   gradient: UnsafePointer<Scalar>, w: UnsafeMutablePointer<Scalar>) {
        let r = b.rows, c = b.columns, n = b.count
        @inline(__always) func at(_ i: Int) -> Int { b.offset + (i / c) * b.ld + i % c }
        let g = work.g
        for i in 0..<n { g[i] = Double(gradient[at(i)]) }
        if weightDecayType == .l2, weightDecay != 0 {
            for i in 0..<n { g[i] = g[i] + weightDecay * Double(w[at(i)]) }
        }
        // Factors.
        let beta1 = betas.first, beta2 = betas.second
        if b.order == 1 {
            gemm(.none, .transposed, r, r, 1, 1, g, 1, g, 1, 0, work.square, r)
            accumulate(s + b.f0, work.square, r * r, beta2)
        } else {
            gemm(.none, .transposed, r, r, c, 1, g, c, g, c, 0, work.square, r)
            accumulate(s + b.f0, work.square, r * r, beta2)
            gemm(.transposed, .none, c, c, r, 1, g, c, g, c, 0, work.square, c)
            accumulate(s + b.f1, work.square, c * c, beta2)
        }
        // Grafting state.
        var graftCorrection = 1.0
        if b.graft >= 0 {
            let v = s + b.graft
            switch grafting {
            case .adagrad:
                for i in 0..<n { v[i] = v[i] + g[i] * g[i] }
            case .adam, .rmsprop:
                let bg = graftBeta2
                for i in 0..<n { v[i] = bg * v[i] + (1 - bg) * (g[i] * g[i]) }
                if grafting == .adam { graftCorrection = 1 - Math.pow(bg, Double(t)) }
            case .none: break
            }
        }
        // Root inverses.
        if t == start || (t > start && t % preconditionFrequency == 0) {
            let bc2 = useBiasCorrection && beta2 < 1 ? 1 - Math.pow(beta2, Double(t)) : 1
            let root = 2.0 * Double(b.order)
            rootInverse(s + b.f0, into: s + b.x0, r, bc2: bc2, root: root)
            if b.order == 2 { rootInverse(s + b.f1, into: s + b.x1, c, bc2: bc2, root: root) }
        }
        // Filtered gradient.
        let bar = work.bar
        if b.filtered >= 0 {
            let m = s + b.filtered, b3 = beta3Used
            if b3 != beta1 {
                for i in 0..<n { bar[i] = lerp(m[i], g[i], 1 - b3) }
            }
            for i in 0..<n { m[i] = lerp(m[i], g[i], 1 - beta1) }
            if b3 == beta1 { bar.update(from: m, count: n) }
            if useBiasCorrection {
                let correction = 1 - b3 * Math.pow(beta1, Double(t - 1))
                for i in 0..<n { bar[i] = bar[i] / correction }
            }
        } else {
            bar.update(from: g, count: n)
        }
        // Direction.
        let p: UnsafeMutablePointer<Double>
        let graft = work.graft
        if b.graft >= 0 {
            let v = s + b.graft
            for i in 0..<n { graft[i] = bar[i] / ((v[i] / graftCorrection).squareRoot() + graftingEpsilon) }
        }
        if t < start, b.graft >= 0 {
            p = graft
        } else {
            if b.order == 1 {
                gemm(.none, .none, r, 1, r, 1, UnsafePointer(s + b.x0), r, bar, 1, 0, work.shampoo, 1)
            } else {
                gemm(.none, .none, r, c, r, 1, UnsafePointer(s + b.x0), r, bar, c, 0, work.tmp, c)
                gemm(.none, .none, r, c, c, 1, work.tmp, c, UnsafePointer(s + b.x1), c, 0, work.shampoo, c)
            }
            p = work.shampoo
            if b.graft >= 0 {
                var gn = 0.0, sn = 0.0
                for i in 0..<n {
                    gn += graft[i] * graft[i]
                    sn += p[i] * p[i]
                }
                let scale = gn.squareRoot() / (sn.squareRoot() + 1e-16)
                for i in 0..<n { p[i] = scale * p[i] }
            }
        }
        // Weight decay and the step.
        let lr32 = Double(Float(lr))
        var decay = 0.0
        if weightDecay != 0 {
            switch weightDecayType {
            case .l2: decay = 0
            case .decoupled: decay = weightDecay
            case .corrected: decay = weightDecay * (lr32 / lr)
            case .independent: decay = weightDecay / lr
            }
        }
        for i in 0..<n {
            let k = at(i), wi = Double(w[k])
            var pi = p[i]
            if decay != 0 { pi = pi + decay * wi }
            w[k] = Scalar(wi - lr32 * pi)
        }
    }

    /// F ← β₂F + (1 − β₂)C, or F + C when β₂ = 1.
    func accumulate(_ f: UnsafeMutablePointer<Double>, _ c: UnsafePointer<Double>, _ n: Int, _ beta2: Double) {
        if beta2 == 1 {
            for i in 0..<n { f[i] = f[i] + c[i] }
        } else {
            for i in 0..<n { f[i] = beta2 * f[i] + (1 - beta2) * c[i] }
        }
    }

    /// torch's lerp: a + w(b − a) for w < 0.5, else b − (b − a)(1 − w).
    @inline(__always)
    func lerp(_ a: Double, _ b: Double, _ weight: Double) -> Double {
        weight < 0.5 ? a + weight * (b - a) : b - (b - a) * (1 - weight)
    }

    /// X = Q diag(μ^(−1/root)) Qᵀ for F/bc₂ + εI = Q diag(μ) Qᵀ, μ shifted to min ε when below.
    func rootInverse(_ f: UnsafePointer<Double>, into x: UnsafeMutablePointer<Double>, _ n: Int, bc2: Double, root: Double) {
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<(n * n) { a[i] = f[i] / bc2 }
        for i in 0..<n { a[i * n + i] += epsilon }
        let eigen = SymmetricEigen(symmetric: a, dimension: n, computeVectors: true)
        var mu = eigen.eigenvalues
        let smallest = mu.min() ?? epsilon
        if smallest < epsilon { for k in 0..<n { mu[k] = mu[k] - smallest + epsilon } }
        let q = eigen.eigenvectors!   // row k: eigenvector k
        let exponent = -1 / root
        for k in 0..<n { mu[k] = Math.pow(mu[k], exponent) }
        for i in 0..<n {
            for j in 0..<n {
                var sum = 0.0
                for k in 0..<n { sum += q[k * n + i] * mu[k] * q[k * n + j] }
                x[i * n + j] = sum
            }
        }
    }
}

extension OptimizerEntry {
    /// Shampoo (`Shampoo`), DistributedShampoo's root-inverse Shampoo with its names and defaults.
    public static let shampoo = OptimizerEntry(
        name: "shampoo",
        summary: "Shampoo: Kronecker-factored root-inverse preconditioner with grafting (Meta's DistributedShampoo, one device)",
        float: Shampoo<Float>.self, double: Shampoo<Double>.self,
        groupsRefused: "the factors couple every entry of a block")
}
