import OptBenchCore
import OptBenchKernels
import OptBenchLinearAlgebra

/// Low-rank matrix factorisation, the survey's two-layer linear network (§6):
///
///     F(W₁, W₂) = ‖Y − W₂W₁‖²_F / (2mn),   Y ∈ ℝ^{m×n}, W₂ ∈ ℝ^{m×r}, W₁ ∈ ℝ^{r×n},
///
/// normalised per entry so step sizes do not scale with the matrix. With R = W₂W₁ − Y,
/// ∇_{W₁}F = W₂ᵀR/(mn) and ∇_{W₂}F = RW₁ᵀ/(mn). As a finite sum over the m rows of Y,
/// fᵢ = ‖yᵢ − (W₂)ᵢW₁‖²/(2n) with F = (1/m)Σᵢ fᵢ: a sample touches row i of W₂ and all of W₁.
/// The flat parameter vector is [vec(W₁); vec(W₂)], both row-major.
///
/// Y = U·diag(s)·Vᵀ is built from its SVD (U, V with orthonormal columns from Gaussian draws):
/// `rank_true` signal values s_k = √(mn/rank_true)·(1 − k/(2·rank_true)), so entries of Y are
/// O(1), and, when `noise` σ > 0, a tail of min(m, n) − rank_true values falling linearly from
/// σ(√m + √n)/2 (the scale of a Gaussian noise matrix's spectrum), so the spectrum stays known.
/// By Eckart–Young F* = Σ_{k>r} s_(k)²/(2mn), the discarded squared singular values: exact.
/// Every stationary point is a global minimum or a strict saddle (Baldi & Hornik, 1989).
/// A partial derivative needs a row or column of the residual R, which a gradient forms in
/// full, so it offers no coordinate view.
///
/// Start (`init`): `gaussian` (the default), every entry of W₁ and W₂ i.i.d. N(0, init_scale²)
/// from the run seed; or `zeros`, a saddle point (∇F = 0) that gradient methods never leave.
public final class MatrixFactorization: Problem {
    /// Y, m×n.
    public let target: Matrix<Double>
    public let rank: Int
    /// All singular values of Y, decreasing.
    public let singularValues: [Double]
    public let theory: TheoryConstants
    public let label: String
    public let initialization: StandardInit
    let initScale: Double

    public var rows: Int { target.rows }
    public var columns: Int { target.columns }

    public init(
        target: Matrix<Double>, rank: Int, singularValues: [Double], label: String = "matrix-factorization",
        initialization: StandardInit = .gaussian, initScale: Double = 0.5
    ) {
        self.target = target
        self.rank = rank
        self.singularValues = singularValues
        var t = TheoryConstants(sampleCount: target.rows, dimension: rank * (target.rows + target.columns))
        let discarded = singularValues.dropFirst(rank).reduce(0) { $0 + $1 * $1 }
        t.optimalValue = finite(discarded / (2 * Double(target.rows * target.columns)))
        theory = t
        self.label = label
        self.initialization = initialization
        self.initScale = initScale
    }

    public var dimension: Int { rank * (rows + columns) }
    public var sampleCount: Int { rows }
    /// n (= m, the rows of Y are the samples), d, F*, then m, the columns of Y, r and the
    /// singular values at the rank cut.
    public var properties: [(name: String, value: Double)] {
        var p = theoryProperties(theory) + [("m", Double(rows)), ("columns", Double(columns)), ("r", Double(rank))]
        if rank >= 1, rank <= singularValues.count { p.append(("sigma_r", singularValues[rank - 1])) }
        p.append(("sigma_r+1", rank < singularValues.count ? singularValues[rank] : 0))
        return p
    }

    public func initialPoint(seed: UInt64) -> [Double] {
        switch initialization {
        case .zeros:
            return [Double](repeating: 0, count: dimension)
        case .gaussian:
            var rng = Xoshiro256(seed: seed, stream: 2)
            return (0..<dimension).map { _ in initScale * rng.nextGaussian() }
        }
    }

    /// Σ over `samples` (rows of Y) of ‖rᵢ‖² with rᵢ = (W₂)ᵢW₁ − yᵢ; when `g` is given it
    /// receives scale·∇(½Σ‖rᵢ‖²).
    private func accumulate(_ w: UnsafePointer<Double>, rowsOf samples: some Sequence<Int>, gradient g: UnsafeMutablePointer<Double>?, scale: Double) -> Double {
        let n = columns, r = rank
        let w1 = w, w2 = w + r * n
        if let g { for k in 0..<dimension { g[k] = 0 } }
        var s = 0.0
        withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { rp in
            let res = rp.baseAddress!
            for i in samples {
                let yRow = target.base + i * n
                for j in 0..<n { res[j] = -yRow[j] }
                for k in 0..<r { axpy(n, w2[i * r + k], w1 + k * n, res) }
                s += dot(n, res, res)
                if let g {
                    for k in 0..<r { axpy(n, scale * w2[i * r + k], res, g + k * n) }
                    gemv(.none, r, n, scale, w1, n, res, 1, g + r * n + i * r)
                }
            }
        }
        return s
    }

    public func loss(at w: UnsafeBufferPointer<Double>) -> Double {
        accumulate(w.baseAddress!, rowsOf: 0..<rows, gradient: nil, scale: 0) / (2 * Double(rows * columns))
    }

    public func lossAndGradient(at w: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) -> Double {
        let mn = Double(rows * columns)
        return accumulate(w.baseAddress!, rowsOf: 0..<rows, gradient: g.baseAddress!, scale: 1 / mn) / (2 * mn)
    }

    /// (1/|B|) Σ_{i∈B} ∇fᵢ with fᵢ = ‖yᵢ − (W₂)ᵢW₁‖²/(2n).
    public func sampleGradient(at w: UnsafeBufferPointer<Double>, samples: UnsafeBufferPointer<Int>, into g: UnsafeMutableBufferPointer<Double>) {
        _ = accumulate(w.baseAddress!, rowsOf: samples, gradient: g.baseAddress!, scale: 1 / Double(samples.count * columns))
    }

    public static let entry = ProblemEntry(
        name: "matrix-factorization",
        summary: "low-rank factorisation ‖Y − W₂W₁‖²_F/(2mn) of a matrix with known SVD, F* exact by Eckart–Young",
        settings: MatrixFactorizationSettings.self, memory: { s in try s.memory() }
    ) { s, label in
        try s.validate()
        return ProblemInstance(MatrixFactorization.synthetic(
            m: s.m, n: s.n, rank: s.rank, trueRank: s.trueRank, noise: s.noise, seed: UInt64(s.dataSeed),
            initialization: s.initialization, initScale: s.initScale, label: label))
    }

    /// The synthetic instance described on the type.
    public static func synthetic(
        m: Int, n: Int, rank: Int, trueRank: Int, noise: Double, seed: UInt64, initialization: StandardInit = .gaussian,
        initScale: Double = 0.5, label: String = "matrix-factorization"
    ) -> MatrixFactorization {
        let full = min(m, n)
        let count = noise > 0 ? full : trueRank
        var rng = Xoshiro256(seed: seed, stream: 3)
        let u = orthonormalRows(count: count, length: m, rng: &rng)  // rows are U's columns
        let v = orthonormalRows(count: count, length: n, rng: &rng)  // rows are V's columns
        let base = (Double(m * n) / Double(trueRank)).squareRoot()
        let tailTop = noise * (Double(m).squareRoot() + Double(n).squareRoot()) / 2
        let s = (0..<count).map { k in
            k < trueRank ? base * (1 - Double(k) / Double(2 * trueRank))
                : tailTop * Double(full - k) / Double(full - trueRank)
        }
        let y = Matrix<Double>(rows: m, columns: n)
        v.withUnsafeBufferPointer { vp in
            for i in 0..<m {
                for k in 0..<count { axpy(n, s[k] * u[k * m + i], vp.baseAddress! + k * n, y.base + i * n) }
            }
        }
        let all = (s + [Double](repeating: 0, count: full - count)).sorted(by: >)
        return MatrixFactorization(
            target: y, rank: rank, singularValues: all, label: label, initialization: initialization, initScale: initScale)
    }
}

extension MatrixFactorizationSettings {
    /// Ranks within min(m, n) and Y within 2³⁰ entries.
    func validate() throws(ConfigurationError) {
        guard trueRank <= min(m, n), rank <= min(m, n) else {
            throw ConfigurationError(
                "problem 'matrix-factorization': rank=\(rank) and rank_true=\(trueRank) must not exceed min(m, n) = \(min(m, n))")
        }
        try checkSize("matrix-factorization", "m=\(m) n=\(n)", entries: (m, n))
    }

    /// What an instance takes: Y (m×n) and its singular vectors U (m×c), V (n×c), c the
    /// singular values drawn (rank_true, or min(m, n) with a noise tail); Y is kept. A run adds
    /// the parameters r·(m + n) and a residual row.
    func memory() throws(ConfigurationError) -> MemoryEstimate {
        try validate()
        let count = noise > 0 ? min(m, n) : trueRank
        let y = Bytes.values(m, n, of: 8)
        return estimate(construction: y + Bytes.values(count, m + n, of: 8), resident: y + Bytes.values(min(m, n), of: 8),
                        parameters: rank * (m + n), scalar: 8, scratch: Bytes.values(n, of: 8))
    }
}

/// The settings of `matrix-factorization`.
public struct MatrixFactorizationSettings: ParameterSet {
    @Setting("m", range: 1...1e6, "rows of Y (the samples)")
    public var m = 40
    @Setting("n", range: 1...1e6, "columns of Y")
    public var n = 30
    @Setting("rank", range: 1...1e5, "factor rank r (W₂ is m×r, W₁ is r×n)")
    public var rank = 3
    @Setting("rank_true", range: 1...1e5, "rank of Y's signal part")
    public var trueRank = 3
    @Setting("noise", range: 0...1e6, "σ of the spectral noise tail (0: Y has rank rank_true)")
    public var noise = 0.0
    @Setting("init", "start: i.i.d. Gaussian entries, or all zeros (a saddle point)")
    public var initialization = StandardInit.gaussian
    @Setting("init_scale", range: 0...1e6, "std of the entries of the initial W₁, W₂ when init=gaussian")
    public var initScale = 0.5
    @Setting("data_seed", range: 0...Double(Int32.max), "seed of the synthetic Y")
    public var dataSeed = 0
    public init() {}
}
