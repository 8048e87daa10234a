import OptBenchCore
import OptBenchKernels
import OptBenchLinearAlgebra

/// SOAP, ShampoO with Adam in the Preconditioner's eigenbasis (Vyas et al., 2024): Adam run in
/// the eigenbasis of Shampoo's Kronecker factors, the basis refreshed by one power-iteration
/// step and a QR decomposition every few steps. The authors' `soap.py`
/// (github.com/nikhilvyas/SOAP @ a1e553530fde97d0e6b307d7c82ac6d38b072340), step for step, with
/// its eigh and QR in float64 (the file casts to float32 for them).
///
/// Per layout block G (a 2-D block r × c; a 1-D block an r-vector; a block of more dims is
/// flattened to (shape[0], rest), where soap.py would keep one factor per dim), with factors
/// L (r × r, on dim 0) and R (c × c, on dim 1) for every dim of size ≤ `max_precond_dim`
/// (a 1-D block gets L only with `precondition_1d`, never R), ρ = `shampoo_beta` (β₂ when
/// negative) and lerp(a, b, w) = a + w(b − a):
///
///     first call:  L ← lerp(L, G Gᵀ, 1 − ρ),  R ← lerp(R, Gᵀ G, 1 − ρ),
///                  Q_L, Q_R = eigenvectors of L + 1e-30 I, R + 1e-30 I in descending eigenvalue order;
///                  θ does not move and t stays 0
///     every later call, t ← t + 1:
///         G' = Q_Lᵀ G Q_R                                   (a missing factor: the identity)
///         m ← β₁ m + (1 − β₁) G',   v ← β₂ v + (1 − β₂) G'²
///         N = Q_L (m / (√v + ε)) Q_Rᵀ;   `normalize_grads`: N ← N / (1e-30 + RMS(N))
///         θ ← θ − η_t N,  η_t = η √(1 − β₂ᵗ)/(1 − β₁ᵗ) (`correct_bias`; else η)
///         θ ← θ − η λ θ                                      (λ = `weight_decay` > 0, after the step)
///         m ← Q_L m Q_Rᵀ;  L ← lerp(L, G Gᵀ, 1 − ρ), R ← lerp(R, Gᵀ G, 1 − ρ)
///         if t ≡ 0 (mod `precondition_frequency`), per factor F with basis Q:
///             π = argsort(diag(QᵀFQ), descending); permute v along that dim by π, Q ← Q[:, π];
///             Q ← the Q of QR(F Q)                           (one power-iteration step)
///         m ← Q_Lᵀ m Q_R                                     (m in the current basis, v in its last refresh's)
///
/// G is the full gradient (one epoch a step), or with a `batch_size` > 0 a mini-batch drawn
/// without replacement. The first call charges its gradient but does not move θ (as soap.py,
/// whose first step only builds the factors). The update does not depend on the signs of the
/// eigenvector or QR columns (m is re-projected, v holds squares); QR is Householder in
/// LAPACK's convention, as torch.linalg.qr. All of SOAP's state and arithmetic is Double
/// whatever the run precision; θ is read and written in the run precision. Factors, bases and
/// scratch are allocated in `makeState`; the step allocates only inside the first call's
/// eigendecompositions. Parameter groups are refused; soap.py's `merge_dims` and `data_format`
/// (> 2-D tensors only) are not offered. Names and defaults are soap.py's.
public struct SOAP<Scalar: KernelScalar>: Optimizer, ParameterSet, DrawsMiniBatches {
    @HyperParameter("lr", range: 0...1e12, "step size η")
    public var lr = 0.003
    @HyperParameter("betas", range: 0...1, "(β₁, β₂): Adam's moment decays, in the eigenbasis")
    public var betas = RealPair(0.95, 0.95)
    @HyperParameter("shampoo_beta", range: -1...1, "ρ, the Kronecker factors' EMA factor; negative (−1): use β₂")
    public var shampooBeta = -1.0
    @HyperParameter("eps", range: 0...1e12, "ε added to √v")
    public var eps = 1e-8
    @HyperParameter("weight_decay", range: 0...1e12, "λ: decoupled decay θ ← θ − ηλθ after the step")
    public var weightDecay = 0.01
    @HyperParameter("precondition_frequency", range: 1...1e9, "steps between eigenbasis refreshes (power iteration + QR)")
    public var preconditionFrequency = 10
    @HyperParameter("max_precond_dim", range: 0...1e9, "dims larger than this get no factor (identity basis)")
    public var maxPrecondDim = 10000
    @HyperParameter("precondition_1d", "also precondition 1-D blocks (one n × n factor)")
    public var precondition1D = false
    @HyperParameter("normalize_grads", "divide the update by its RMS (+1e-30)")
    public var normalizeGrads = false
    @HyperParameter("correct_bias", "Adam's bias corrections, folded into the step size")
    public var correctBias = true
    @HyperParameter("batch_size", range: 0...1e9, BatchSettings.summary)
    public var batchSize: BatchSize = .auto

    public init() {}

    public func validate(owner: String) throws(ConfigurationError) { try checkBetas(betas, owner: owner) }

    /// One layout block as an r × c matrix, and where its factors, bases and moments lie in the
    /// state's store (-1: no factor on that dim).
    struct Block {
        let offset: Int, rows: Int, columns: Int
        let left: Int, right: Int           // L, R (r², c²)
        let leftBasis: Int, rightBasis: Int // Q_L, Q_R
        let m: Int, v: Int                  // r·c each
        var count: Int { rows * columns }
    }

    public struct State {
        var blocks: [Block]
        var store: [Double]
        var gradient: [Scalar]
        var scratch: [Double]     // g, projected, x, n, tmp (each `largest`), then two side² squares, τ, estimates
        var order: [Int]
        let largest: Int, side: Int
        var sampler: MinibatchSampler
        var started = false
        var t = 0
        /// |B_t| of this run; 0: the full gradient.
        let batch: Int
    }

    public var requirements: Requirements { Requirements() }

    var rho: Double { shampooBeta >= 0 ? shampooBeta : betas.second }

    public func makeState(for oracle: GradientOracle<Scalar>, seed: UInt64) -> State {
        let d = oracle.dimension
        let layout = oracle.layout.dimension == d ? oracle.layout : .single(d)
        var blocks: [Block] = [], size = 0
        func take(_ n: Int) -> Int {
            defer { size += n }
            return size
        }
        for b in layout.blocks {
            let rows = b.shape.count >= 2 ? b.shape[0] : b.count
            let columns = b.shape.count >= 2 ? b.count / max(rows, 1) : 1
            let hasLeft = rows > 0 && rows <= maxPrecondDim && (b.shape.count >= 2 || precondition1D)
            let hasRight = b.shape.count >= 2 && columns <= maxPrecondDim
            let left = hasLeft ? take(rows * rows) : -1, right = hasRight ? take(columns * columns) : -1
            let lb = hasLeft ? take(rows * rows) : -1, rb = hasRight ? take(columns * columns) : -1
            blocks.append(Block(offset: b.offset, rows: rows, columns: columns, left: left, right: right,
                                leftBasis: lb, rightBasis: rb, m: take(b.count), v: take(b.count)))
        }
        let largest = blocks.map(\.count).max() ?? 0
        let side = blocks.map { max($0.left >= 0 ? $0.rows : 0, $0.right >= 0 ? $0.columns : 0) }.max() ?? 0
        return State(blocks: blocks, store: .init(repeating: 0, count: size), gradient: .init(repeating: 0, count: d),
                     scratch: .init(repeating: 0, count: 5 * largest + 2 * side * side + 2 * side),
                     order: .init(repeating: 0, count: side), largest: largest, side: side,
                     sampler: MinibatchSampler(sampleCount: oracle.sampleCount, seed: seed),
                     batch: batchSize(on: oracle))
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
        let first = !state.started
        state.started = true
        if !first { state.t += 1 }
        let t = state.t, largest = state.largest, side = state.side
        let blocks = state.blocks
        state.store.withUnsafeMutableBufferPointer { storeBuffer in
            state.scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                state.order.withUnsafeMutableBufferPointer { orderBuffer in
                    state.gradient.withUnsafeBufferPointer { gradient in
                        let s = storeBuffer.baseAddress!, scratch = scratchBuffer.baseAddress!
                        let work = Work(g: scratch, projected: scratch + largest, x: scratch + 2 * largest,
                                        n: scratch + 3 * largest, tmp: scratch + 4 * largest,
                                        square: scratch + 5 * largest, square2: scratch + 5 * largest + side * side,
                                        tau: scratch + 5 * largest + 2 * side * side,
                                        estimates: scratch + 5 * largest + 2 * side * side + side,
                                        order: orderBuffer.baseAddress!)
                        for block in blocks {
                            for i in 0..<block.count { work.g[i] = Double(gradient[block.offset + i]) }
                            if first {
                                updateFactors(block, s, work)
                                eigenbases(block, s)
                            } else {
                                stepBlock(block, s, work, t: t, w: w.baseAddress! + block.offset)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Scratch pointers of one step.
    struct Work {
        let g, projected, x, n, tmp, square, square2, tau, estimates: UnsafeMutablePointer<Double>
        let order: UnsafeMutablePointer<Int>
    }

    /// Adam in the eigenbasis on one block, the decay, then the preconditioner's update.
    func stepBlock(_ b: Block, _ s: UnsafeMutablePointer<Double>, _ work: Work, t: Int, w: UnsafeMutablePointer<Scalar>) {
        let count = b.count
        let m = s + b.m, v = s + b.v
        project(b, s, work.g, into: work.projected, work.tmp)
        let beta1 = betas.first, beta2 = betas.second
        for i in 0..<count {
            let p = work.projected[i]
            m[i] = m[i] * beta1 + (1 - beta1) * p
            v[i] = v[i] * beta2 + (1 - beta2) * (p * p)
            work.x[i] = m[i] / (v[i].squareRoot() + eps)
        }
        var stepSize = lr
        if correctBias {
            let bc1 = 1.0 - Math.pow(beta1, Double(t)), bc2 = 1.0 - Math.pow(beta2, Double(t))
            stepSize = stepSize * bc2.squareRoot() / bc1
        }
        projectBack(b, s, work.x, into: work.n, work.tmp)
        if normalizeGrads {
            var squares = 0.0
            for i in 0..<count { squares += work.n[i] * work.n[i] }
            let divisor = 1e-30 + (squares / Double(count)).squareRoot()
            for i in 0..<count { work.n[i] /= divisor }
        }
        let decay = -lr * weightDecay
        for i in 0..<count {
            var p = Double(w[i]) + -stepSize * work.n[i]
            if weightDecay > 0 { p = p + decay * p }
            w[i] = Scalar(p)
        }
        // update_preconditioner: m back to the original space, the factors, the refresh, m forward.
        projectBack(b, s, m, into: work.x, work.tmp)
        updateFactors(b, s, work)
        if t % preconditionFrequency == 0 {
            if b.left >= 0 { refresh(b, s, work, dim: 0) }
            if b.right >= 0 { refresh(b, s, work, dim: 1) }
        }
        project(b, s, work.x, into: m, work.tmp)
    }

    /// L ← lerp(L, G Gᵀ, 1 − ρ), R ← lerp(R, Gᵀ G, 1 − ρ) from the block's gradient in `work.g`.
    func updateFactors(_ b: Block, _ s: UnsafeMutablePointer<Double>, _ work: Work) {
        let r = b.rows, c = b.columns, weight = 1 - rho
        if b.left >= 0 {
            gemm(.none, .transposed, r, r, c, 1, work.g, c, work.g, c, 0, work.square, r)
            lerp(s + b.left, work.square, r * r, weight)
        }
        if b.right >= 0 {
            gemm(.transposed, .none, c, c, r, 1, work.g, c, work.g, c, 0, work.square, c)
            lerp(s + b.right, work.square, c * c, weight)
        }
    }

    /// torch's lerp_: a + w(b − a) for w < 0.5, else b − (b − a)(1 − w).
    func lerp(_ a: UnsafeMutablePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int, _ weight: Double) {
        if weight < 0.5 {
            for i in 0..<n { a[i] = a[i] + weight * (b[i] - a[i]) }
        } else {
            for i in 0..<n { a[i] = b[i] - (b[i] - a[i]) * (1 - weight) }
        }
    }

    /// Q = eigenvectors of F + 1e-30 I, in descending eigenvalue order, for each factor.
    func eigenbases(_ b: Block, _ s: UnsafeMutablePointer<Double>) {
        for (factor, basis, n) in [(b.left, b.leftBasis, b.rows), (b.right, b.rightBasis, b.columns)] where factor >= 0 {
            var a = Array(UnsafeBufferPointer(start: s + factor, count: n * n))
            for i in 0..<n { a[i * n + i] += 1e-30 }
            let eigen = SymmetricEigen(symmetric: a, dimension: n, computeVectors: true)
            let vectors = eigen.eigenvectors!
            for k in 0..<n { for i in 0..<n { s[basis + i * n + k] = vectors[k * n + i] } }
        }
    }

    /// One power-iteration refresh of the basis on `dim`: reorder by diag(QᵀFQ) (and v with it),
    /// then Q ← Q of QR(F Q).
    func refresh(_ b: Block, _ s: UnsafeMutablePointer<Double>, _ work: Work, dim: Int) {
        let n = dim == 0 ? b.rows : b.columns
        let f = s + (dim == 0 ? b.left : b.right), q = s + (dim == 0 ? b.leftBasis : b.rightBasis)
        gemm(.none, .none, n, n, n, 1, UnsafePointer(f), n, UnsafePointer(q), n, 0, work.square, n)
        for a in 0..<n {
            var e = 0.0
            for i in 0..<n { e += q[i * n + a] * work.square[i * n + a] }
            work.estimates[a] = e
            work.order[a] = a
        }
        // Descending, stable (insertion sort: n is small and nothing is allocated).
        for i in 1..<max(n, 1) {
            let k = work.order[i]
            var j = i - 1
            while j >= 0, work.estimates[work.order[j]] < work.estimates[k] {
                work.order[j + 1] = work.order[j]
                j -= 1
            }
            work.order[j + 1] = k
        }
        let v = s + b.v, r = b.rows, c = b.columns
        for i in 0..<(r * c) { work.tmp[i] = v[i] }
        if dim == 0 {
            for a in 0..<r { for j in 0..<c { v[a * c + j] = work.tmp[work.order[a] * c + j] } }
        } else {
            for i in 0..<r { for a in 0..<c { v[i * c + a] = work.tmp[i * c + work.order[a]] } }
        }
        for i in 0..<n { for a in 0..<n { work.square2[i * n + a] = q[i * n + work.order[a]] } }
        gemm(.none, .none, n, n, n, 1, UnsafePointer(f), n, UnsafePointer(work.square2), n, 0, work.square, n)
        householderQR(work.square, rows: n, columns: n, q: q, tau: work.tau)
    }

    /// y = Q_Lᵀ x Q_R (a missing factor: identity).
    func project(_ b: Block, _ s: UnsafeMutablePointer<Double>, _ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>,
                 _ tmp: UnsafeMutablePointer<Double>) {
        transform(b, s, x, into: y, tmp, back: false)
    }

    /// y = Q_L x Q_Rᵀ (a missing factor: identity).
    func projectBack(_ b: Block, _ s: UnsafeMutablePointer<Double>, _ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>,
                     _ tmp: UnsafeMutablePointer<Double>) {
        transform(b, s, x, into: y, tmp, back: true)
    }

    func transform(_ b: Block, _ s: UnsafeMutablePointer<Double>, _ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>,
                   _ tmp: UnsafeMutablePointer<Double>, back: Bool) {
        let r = b.rows, c = b.columns
        var source = x
        if b.left >= 0 {
            gemm(back ? .none : .transposed, .none, r, c, r, 1, UnsafePointer(s + b.leftBasis), r, source, c, 0,
                 b.right >= 0 ? tmp : y, c)
            source = UnsafePointer(b.right >= 0 ? tmp : y)
        }
        if b.right >= 0 {
            gemm(.none, back ? .transposed : .none, r, c, c, 1, source, c, UnsafePointer(s + b.rightBasis), c, 0, y, c)
        } else if b.left < 0 {
            y.update(from: x, count: r * c)
        }
    }
}

extension OptimizerEntry {
    /// SOAP (`SOAP`), the authors' soap.py with its names and defaults.
    public static let soap = OptimizerEntry(
        name: "soap",
        summary: "SOAP: Adam in the eigenbasis of Shampoo's Kronecker factors, refreshed by power iteration + QR (soap.py)",
        float: SOAP<Float>.self, double: SOAP<Double>.self,
        groupsRefused: "the factors couple every entry of a block")
}
