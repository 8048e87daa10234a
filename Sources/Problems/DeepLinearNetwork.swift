import OptBenchCore
import OptBenchKernels
import OptBenchLinearAlgebra

/// A deep linear network, the survey's model for depth without nonlinearity (§4, §6):
///
///     F(W₁, …, W_L) = ‖Y − W_L⋯W₁X‖²_F / (2N),   X ∈ ℝ^{d₀×N}, Y ∈ ℝ^{d_L×N}, W_l ∈ ℝ^{d_l×d_{l−1}},
///
/// normalised by the N samples, so F = (1/N)Σᵢ fᵢ with fᵢ = ½‖W_L⋯W₁xᵢ − yᵢ‖². With
/// h₀ = xᵢ, h_l = W_l h_{l−1}, δ_L = h_L − yᵢ and δ_{l−1} = W_lᵀδ_l (back-propagation),
/// ∇_{W_l} fᵢ = δ_l h_{l−1}ᵀ. The flat parameter vector is [vec(W₁); …; vec(W_L)], row-major.
///
/// Synthetic data: xᵢ ~ N(0, I), Y = AX + σE with A ∈ ℝ^{d_L×d₀} Gaussian (entries
/// N(0, 1/d₀)) and E standard Gaussian. F* is the reduced-rank regression optimum with rank
/// k = min(d₁, …, d_{L−1}) (the bottleneck): with the least-squares fit Ŷ = B̂X,
/// B̂ = YXᵀ(XXᵀ)⁻¹ (Cholesky), F* = (‖Y − Ŷ‖²_F + Σ_{j>k} σⱼ(Ŷ)²)/(2N), the squared singular
/// values from `SymmetricEigen` of the smaller of the Gram matrices of Ŷ (d_L×d_L or N×N,
/// which share their nonzero eigenvalues); accurate to about κ(XXᵀ)·ε relative. It is exactly 0
/// when realizable (σ = 0 and k ≥ min(d₀, d_L)); unknown (nil) when N < d₀.
///
/// A partial derivative needs a forward and a backward pass through the whole network, as a
/// gradient does, so it offers no coordinate view.
///
/// Start (`init`): `gaussian` (the default) draws W_l entries N(0, s²/d_{l−1}); `orthogonal`
/// makes each W_l s times a matrix with orthonormal rows or columns (Gram–Schmidt of Gaussian
/// draws), so the end-to-end map starts norm-preserving, as dynamical isometry prescribes;
/// `zeros` is a saddle point (∇F = 0 for depth ≥ 2).
public final class DeepLinearNetwork: Problem {
    /// `init=zeros|gaussian|orthogonal`.
    public enum Initialization: String, ParameterChoice {
        case zeros, gaussian, orthogonal
    }

    /// d₀, d₁, …, d_L.
    public let widths: [Int]
    /// N×d₀, row i is xᵢ.
    public let inputs: Matrix<Double>
    /// N×d_L, row i is yᵢ.
    public let outputs: Matrix<Double>
    public let theory: TheoryConstants
    public let label: String
    public let initialization: Initialization
    let initScale: Double
    /// Offset of W_l (l = 1…L) in the flat parameter vector, at index l − 1; the last entry is d.
    let offsets: [Int]
    /// Offsets of h₀…h_L in one sample's activations, which two δ buffers follow.
    private let activationOffsets: [Int]
    private let widest: Int

    public init(
        widths: [Int], inputs: Matrix<Double>, outputs: Matrix<Double>, optimalValue: Double?,
        initialization: Initialization = .gaussian, initScale: Double = 1, label: String = "deep-linear"
    ) {
        precondition(widths.count >= 2 && inputs.columns == widths.first! && outputs.columns == widths.last! && inputs.rows == outputs.rows)
        self.widths = widths
        self.inputs = inputs
        self.outputs = outputs
        self.initialization = initialization
        self.initScale = initScale
        self.label = label
        var o = [0]
        for l in 1..<widths.count { o.append(o.last! + widths[l] * widths[l - 1]) }
        offsets = o
        var a = [0]
        for width in widths { a.append(a.last! + width) }
        activationOffsets = a
        widest = widths.max()!
        var t = TheoryConstants(sampleCount: inputs.rows, dimension: o.last!)
        t.optimalValue = optimalValue.flatMap(finite)
        theory = t
    }

    public var depth: Int { widths.count - 1 }
    public var dimension: Int { offsets.last! }
    public var sampleCount: Int { inputs.rows }
    /// n, d, F* when known, then N (= n), the depth and the bottleneck width.
    public var properties: [(name: String, value: Double)] {
        theoryProperties(theory) + [
            ("N", Double(sampleCount)), ("depth", Double(depth)),
            ("bottleneck", Double(widths.dropFirst().dropLast().min() ?? min(widths.first!, widths.last!))),
        ]
    }

    public func initialPoint(seed: UInt64) -> [Double] {
        var rng = Xoshiro256(seed: seed, stream: 2)
        var w = [Double](repeating: 0, count: dimension)
        guard initialization != .zeros else { return w }
        for l in 1...depth {
            let rows = widths[l], cols = widths[l - 1], o = offsets[l - 1]
            if initialization == .orthogonal {
                let q = orthonormalRows(count: min(rows, cols), length: max(rows, cols), rng: &rng)
                for a in 0..<rows {
                    for b in 0..<cols { w[o + a * cols + b] = initScale * (rows <= cols ? q[a * cols + b] : q[b * rows + a]) }
                }
            } else {
                let s = initScale / Double(cols).squareRoot()
                for k in 0..<(rows * cols) { w[o + k] = s * rng.nextGaussian() }
            }
        }
        return w
    }

    /// Σ over `samples` of ‖rᵢ‖²; when `g` is given it receives scale·∇(½Σ‖rᵢ‖²).
    private func accumulate(_ w: UnsafePointer<Double>, samples: some Sequence<Int>, gradient g: UnsafeMutablePointer<Double>?, scale: Double) -> Double {
        let L = depth
        if let g { for k in 0..<dimension { g[k] = 0 } }
        var total = 0.0
        withUnsafeTemporaryAllocation(of: Double.self, capacity: activationOffsets.last! + 2 * widest) { ap in
            let h = ap.baseAddress!
            var delta = h + activationOffsets[L + 1], next = delta + widest
            for i in samples {
                for k in 0..<widths[0] { h[k] = inputs[i, k] }
                for l in 1...L {
                    gemv(.none, widths[l], widths[l - 1], 1, w + offsets[l - 1], widths[l - 1],
                         h + activationOffsets[l - 1], 0, h + activationOffsets[l])
                }
                let out = h + activationOffsets[L], y = outputs.base + i * widths[L]
                var s = 0.0
                for k in 0..<widths[L] {
                    let r = out[k] - y[k]
                    s += r * r
                    delta[k] = scale * r
                }
                total += s
                guard let g else { continue }
                for l in stride(from: L, through: 1, by: -1) {
                    let rows = widths[l], cols = widths[l - 1]
                    let input = h + activationOffsets[l - 1]
                    for a in 0..<rows where delta[a] != 0 { axpy(cols, delta[a], input, g + offsets[l - 1] + a * cols) }
                    if l > 1 {
                        gemv(.transposed, rows, cols, 1, w + offsets[l - 1], cols, delta, 0, next)
                        swap(&delta, &next)
                    }
                }
            }
        }
        return total
    }

    public func loss(at w: UnsafeBufferPointer<Double>) -> Double {
        accumulate(w.baseAddress!, samples: 0..<sampleCount, gradient: nil, scale: 0) / (2 * Double(sampleCount))
    }

    public func lossAndGradient(at w: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) -> Double {
        accumulate(w.baseAddress!, samples: 0..<sampleCount, gradient: g.baseAddress!, scale: 1 / Double(sampleCount))
            / (2 * Double(sampleCount))
    }

    /// (1/|B|) Σ_{i∈B} ∇fᵢ with fᵢ = ½‖W_L⋯W₁xᵢ − yᵢ‖².
    public func sampleGradient(at w: UnsafeBufferPointer<Double>, samples: UnsafeBufferPointer<Int>, into g: UnsafeMutableBufferPointer<Double>) {
        _ = accumulate(w.baseAddress!, samples: samples, gradient: g.baseAddress!, scale: 1 / Double(samples.count))
    }

    public static let entry = ProblemEntry(
        name: "deep-linear",
        summary: "deep linear network ‖Y − W_L⋯W₁X‖²_F/(2N) on synthetic Y = AX + noise, F* by reduced-rank regression",
        settings: DeepLinearSettings.self, memory: { s in try s.memory() }
    ) { s, label in
        let widths = try s.validatedWidths()
        return ProblemInstance(DeepLinearNetwork.synthetic(
            widths: widths, samples: s.samples, noise: s.noise, seed: UInt64(s.dataSeed),
            initialization: s.initialization, initScale: s.initScale, label: label))
    }
}

extension DeepLinearSettings {
    /// d₀, …, d_L from `widths` or from input, width, depth and output, refused when they are
    /// not positive integers or X, Y or the parameters pass 2³⁰ values.
    func validatedWidths() throws(ConfigurationError) -> [Int] {
        let s = self
        let given = s.widths
        guard given.allSatisfy({ $0 >= 1 && $0 <= 1e5 && $0 == $0.rounded() }) else {
            throw ConfigurationError("problem 'deep-linear': widths=\(given) is not valid; expected positive integers d₀,…,d_L of at most 100000")
        }
        var widths = given.map { Int($0) }
        if widths.isEmpty {
            widths = [s.input] + [Int](repeating: s.width, count: s.depth - 1) + [s.output]
        }
        guard widths.count >= 2, widths.allSatisfy({ $0 >= 1 }) else {
            throw ConfigurationError("problem 'deep-linear': widths=\(given) is not valid; expected at least two positive integers d₀,…,d_L")
        }
        let shape = "\(widths.count - 1) layers of width up to \(widths.max() ?? 1)"
        try checkSize("deep-linear", "samples=\(s.samples) with \(shape)", entries: (s.samples, widths.max() ?? 1))
        var parameters = 0
        for k in 1..<widths.count { parameters += widths[k - 1] * widths[k] }
        try checkSize("deep-linear", shape, entries: (parameters, 1))
        return widths
    }

    /// What an instance takes: X (N×d₀), Y (N×d_L) and A (d_L×d₀); the reduced-rank reference,
    /// when F* is neither 0 nor unknown (N < d₀), holds XXᵀ and its factor (2·d₀²), B̂ (d_L×d₀)
    /// and the Gram matrix of Ŷ on its smaller side with the eigen-solver's copy (2·k² for
    /// k = min(N, d_L), plus Ŷ itself when k = N). A run adds the parameters.
    func memory() throws(ConfigurationError) -> MemoryEstimate {
        let w = try validatedWidths()
        let n = samples, d0 = w.first!, dL = w.last!
        let data = Bytes.values(n, d0 + dL, of: 8)
        var construction = data + Bytes.values(dL, d0, of: 8)
        let bottleneck = w.count > 2 ? w.dropFirst().dropLast().min()! : min(d0, dL)
        if !(noise == 0 && bottleneck >= min(d0, dL)) && n >= d0 {
            let k = min(n, dL)
            construction += Bytes.values(2 * d0, d0, of: 8) + Bytes.values(dL, d0, of: 8) + Bytes.values(2 * k, k, of: 8)
                + (k == n ? Bytes.values(n, dL, of: 8) : Bytes())
        }
        var parameters = 0
        for l in 1..<w.count { parameters += w[l - 1] * w[l] }
        return estimate(construction: construction, resident: data, parameters: parameters, scalar: 8,
                        scratch: Bytes.values(w.reduce(0, +) + 2 * w.max()!, of: 8))
    }
}

extension DeepLinearNetwork {
    /// The synthetic instance described on the type.
    public static func synthetic(
        widths: [Int], samples n: Int, noise: Double, seed: UInt64, initialization: Initialization = .gaussian, initScale: Double = 1,
        label: String = "deep-linear"
    ) -> DeepLinearNetwork {
        let d0 = widths.first!, dL = widths.last!
        var rng = Xoshiro256(seed: seed, stream: 3)
        let x = Matrix<Double>(rows: n, columns: d0), y = Matrix<Double>(rows: n, columns: dL)
        for k in 0..<(n * d0) { x.storage[k] = rng.nextGaussian() }
        let a = (0..<(dL * d0)).map { _ in rng.nextGaussian() / Double(d0).squareRoot() }
        for i in 0..<n {
            gemv(.none, dL, d0, 1, a, d0, x.base + i * d0, 0, y.base + i * dL)
            if noise > 0 { for k in 0..<dL { y[i, k] += noise * rng.nextGaussian() } }
        }
        let bottleneck = widths.count > 2 ? widths.dropFirst().dropLast().min()! : min(d0, dL)
        let fStar: Double? = noise == 0 && bottleneck >= min(d0, dL)
            ? 0 : reducedRankOptimum(inputs: x, outputs: y, rank: bottleneck)
        return DeepLinearNetwork(
            widths: widths, inputs: x, outputs: y, optimalValue: fStar, initialization: initialization, initScale: initScale, label: label)
    }

    /// min over B of rank ≤ k of ‖Y − BX‖²_F/(2N), as described on the type; nil when XXᵀ is singular.
    static func reducedRankOptimum(inputs x: Matrix<Double>, outputs y: Matrix<Double>, rank k: Int) -> Double? {
        let n = x.rows, d0 = x.columns, dL = y.columns
        // With fewer samples than inputs XXᵀ has rank N < d₀: singular, known before forming it.
        guard n >= d0 else { return nil }
        var gram = [Double](repeating: 0, count: d0 * d0)
        gram.withUnsafeMutableBufferPointer { weightedGram(rows: n, columns: d0, x.base, weights: nil, scale: 1, into: $0.baseAddress!) }
        guard let cholesky = Cholesky(gram, dimension: d0) else { return nil }
        // Row a of B̂ solves (XXᵀ)b = X·(row a of Y).
        var b = [Double](repeating: 0, count: dL * d0)
        for a in 0..<dL {
            var rhs = [Double](repeating: 0, count: d0)
            for i in 0..<n { axpy(d0, y[i, a], x.base + i * d0, &rhs) }
            let row = cholesky.solve(rhs)
            for c in 0..<d0 { b[a * d0 + c] = row[c] }
        }
        var misfit = 0.0
        let spectrum: [Double]
        if dL <= n {
            // ŶᵀŶ = Σᵢ ŷᵢŷᵢᵀ, d_L×d_L.
            var fitted = [Double](repeating: 0, count: dL), outer = [Double](repeating: 0, count: dL * dL)
            for i in 0..<n {
                gemv(.none, dL, d0, 1, b, d0, x.base + i * d0, 0, &fitted)
                for a in 0..<dL {
                    let r = y[i, a] - fitted[a]
                    misfit += r * r
                    outer.withUnsafeMutableBufferPointer { axpy(dL, fitted[a], fitted, $0.baseAddress! + a * dL) }
                }
            }
            spectrum = SymmetricEigen(symmetric: outer, dimension: dL).eigenvalues
        } else {
            // ŶŶᵀ = (ŷᵢᵀŷⱼ), N×N, the same nonzero eigenvalues.
            let fitted = Matrix<Double>(rows: n, columns: dL)
            for i in 0..<n {
                gemv(.none, dL, d0, 1, b, d0, x.base + i * d0, 0, fitted.base + i * dL)
                for a in 0..<dL {
                    let r = y[i, a] - fitted[i, a]
                    misfit += r * r
                }
            }
            var gram = [Double](repeating: 0, count: n * n)
            gram.withUnsafeMutableBufferPointer { gemm(.none, .transposed, n, n, dL, 1, fitted.base, dL, fitted.base, dL, 0, $0.baseAddress!, n) }
            spectrum = SymmetricEigen(symmetric: gram, dimension: n).eigenvalues
        }
        let discarded = spectrum.dropFirst(k).reduce(0) { $0 + max(0, $1) }
        return (misfit + discarded) / (2 * Double(n))
    }
}

/// The settings of `deep-linear`.
public struct DeepLinearSettings: ParameterSet {
    @Setting("samples", range: 1...1e7, "number of samples N")
    public var samples = 100
    @Setting("input", range: 1...1e5, "input width d₀")
    public var input = 8
    @Setting("output", range: 1...1e5, "output width d_L")
    public var output = 8
    @Setting("width", range: 1...1e5, "hidden width d₁ = … = d_{L−1}")
    public var width = 8
    @Setting("depth", range: 1...1000, "number of layers L")
    public var depth = 3
    @Setting("widths", "all widths d₀,d₁,…,d_L (overrides input, output, width, depth when given)")
    public var widths: [Double] = []
    @Setting("noise", range: 0...1e6, "std σ of the output noise (0 and a wide enough bottleneck: realizable, F* = 0)")
    public var noise = 0.0
    @Setting("init", "initialisation of each W_l: Gaussian, orthogonal, or zeros (a saddle point)")
    public var initialization = DeepLinearNetwork.Initialization.gaussian
    @Setting("init_scale", range: 0...1e6, "scale s of the initial weights")
    public var initScale = 1.0
    @Setting("data_seed", range: 0...Double(Int32.max), "seed of the synthetic X, A and noise")
    public var dataSeed = 0
    public init() {}
}
