import OptBenchCore
import OptBenchDatasets
import OptBenchKernels

/// Linear least squares F(w) = ‖Xw − y‖²/(2n) = (1/n) Σᵢ ½(xᵢᵀw − yᵢ)², X ∈ ℝⁿˣᵈ, in float32 or
/// float64 (`dtype`).
///
/// ∇F(w) = Xᵀ(Xw − y)/n and ∇fᵢ(w) = (xᵢᵀw − yᵢ)xᵢ: a linear model with φᵢ(z) = ½(z − yᵢ)²
/// and λ = 0. The Hessian H = XᵀX/n is constant; the survey's Appendix C states every method's
/// epoch complexity through its spectrum: L = λmax, μ = λmin, κ = λmax/λmin,
/// κ_D = λavg/λmin and λmax/λavg, and L_max = maxᵢ‖xᵢ‖² for sampled methods. The coordinate
/// partial ∂F/∂w_j = X_{:,j}ᵀ(Xw − y)/n costs O(n + d) amortised (`LinearPredictionCache`), with
/// L_j = ‖X_{:,j}‖²/n.
///
/// The synthetic family prescribes that spectrum exactly: X = √n·U·diag(√λ)·Vᵀ with U ∈ ℝⁿˣᵈ
/// orthonormal columns and V ∈ ℝᵈˣᵈ orthogonal, both Haar-like from Gaussian draws, so that
/// H = V·diag(λ)·Vᵀ. Targets are y = Xw⋆ (realizable, F* = 0) or y = Xw⋆ + σξ (noisy), where
/// F* = ‖(I − UUᵀ)y‖²/(2n) exactly. User data (`--set data=X.idx --set targets=y.idx`, IDX
/// files) get the spectrum and F* as `LeastSquaresData` describes. Every constant is computed
/// in Double from the float64 data; a float32 problem holds those data rounded.
///
/// Start (`init`): `zeros` (w₀ = 0, the default) or `gaussian`, w₀ ~ N(0, I/d) from the run seed.
public final class LeastSquares<Scalar: KernelScalar>: Problem {
    /// The n×d design matrix X.
    public let design: Matrix<Scalar>
    public let targets: [Scalar]
    /// Eigenvalues of H in decreasing order, when known.
    public let spectrum: [Double]?
    /// The minimum-norm minimiser w* of F, when computed (loaded data).
    public let solution: [Double]?
    public let theory: TheoryConstants
    /// L_j = ‖X_{:,j}‖²/n.
    public let coordinateLipschitz: [Double]
    public let label: String
    public let initialization: StandardInit

    /// The problem on `data` in this precision: its constants as computed, its entries rounded.
    public init(_ data: LeastSquaresData, label: String = "least-squares", initialization: StandardInit = .zeros) {
        design = data.design as? Matrix<Scalar> ?? Matrix(converting: data.design)
        targets = data.targets as? [Scalar] ?? data.targets.map { Scalar($0) }
        spectrum = data.spectrum
        solution = data.solution
        theory = data.theory
        coordinateLipschitz = data.coordinateLipschitz
        self.label = label
        self.initialization = initialization
    }

    /// The synthetic instance with H's eigenvalues exactly `spectrum` (decreasing).
    public static func synthetic(
        n: Int, spectrum: [Double], noise: Double, seed: UInt64, label: String = "least-squares",
        initialization: StandardInit = .zeros
    ) -> LeastSquares {
        LeastSquares(.synthetic(n: n, spectrum: spectrum, noise: noise, seed: seed), label: label, initialization: initialization)
    }

    public var sampleCount: Int { design.rows }
    public var dimension: Int { design.columns }

    public func initialPoint(seed: UInt64) -> [Scalar] {
        switch initialization {
        case .zeros: [Scalar](repeating: 0, count: dimension)
        case .gaussian: gaussianStart(dimension: dimension, seed: seed)
        }
    }

    public func loss(at w: UnsafeBufferPointer<Scalar>) -> Double {
        targets.withUnsafeBufferPointer { y in 0.5 * squaredResiduals(design, y, w.baseAddress!) / Double(sampleCount) }
    }

    public func lossAndGradient(at w: UnsafeBufferPointer<Scalar>, into g: UnsafeMutableBufferPointer<Scalar>) -> Double {
        let d = dimension, x = design.base
        let invN = 1 / Scalar(sampleCount)
        g.update(repeating: 0)
        let s = targets.withUnsafeBufferPointer { y in
            linearModelGradient(rows: sampleCount, columns: d, x, w.baseAddress!, addingTo: g.baseAddress!) { i, z in
                let r = z - y[i]
                return (Double(r) * Double(r), r * invN)
            }
        }
        return 0.5 * s * (1 / Double(sampleCount))
    }

    public func sampleGradient(at w: UnsafeBufferPointer<Scalar>, samples: UnsafeBufferPointer<Int>, into g: UnsafeMutableBufferPointer<Scalar>) {
        let d = dimension, x = design.base
        let scale = 1 / Scalar(samples.count)
        g.update(repeating: 0)
        targets.withUnsafeBufferPointer { y in
            for (k, i) in samples.enumerated() {
                // Random rows: request the one four samples ahead while this one is used.
                if k + 4 < samples.count { prefetch(x + samples[k + 4] * d, bytes: d * MemoryLayout<Scalar>.stride) }
                let row = x + i * d
                let r = dot(d, row, w.baseAddress!) - y[i]
                axpy(d, r * scale, row, g.baseAddress!)
            }
        }
    }

    /// φᵢ′(xᵢᵀw) = xᵢᵀw − yᵢ, the residual; xᵢ is row i of X; λ = 0.
    public func linearModel() -> LinearModelView<Scalar>? {
        let d = dimension, x = design.base
        return LinearModelView(
            derivative: { [self] w, i in dot(d, x + i * d, w.baseAddress!) - targets[i] },
            rows: UnsafePointer(x), rowLength: d,
            l2Penalty: 0)
    }

    /// ∂F/∂w_j = (1/n)·X[:, j]ᵀ(Xw − y) from this run's cached predictions, with L_j.
    public func coordinates() -> CoordinateView<Scalar>? { coordinateView(cache: LinearPredictionCache(design: design)) }

    func coordinateView(cache: LinearPredictionCache<Scalar>) -> CoordinateView<Scalar> {
        CoordinateView(
            partial: { [self] w, j in
                let n = sampleCount
                return cache.withPredictions(at: w, column: j) { z, column in
                    targets.withUnsafeBufferPointer { y in
                        var s: Scalar = 0
                        for i in 0..<n { s += column[i] * (z[i] - y[i]) }
                        return s / Scalar(n)
                    }
                }
            },
            lipschitzConstants: coordinateLipschitz)
    }
}

// The entry builds either precision; it lives on the float64 type so that `LeastSquares.entry`
// names it without a type argument.
extension LeastSquares where Scalar == Double {
    public static var entry: ProblemEntry {
        ProblemEntry(
            name: "least-squares",
            summary: "linear least squares ‖Xw − y‖²/(2n) with a prescribed spectrum of H = XᵀX/n (or IDX data), F* exact",
            settings: LeastSquaresSettings.self, memory: { s in try s.memory() }
        ) { s, label in
            let data = try LeastSquaresData(s)
            switch s.precision.dtype {
            case .float32:
                if !s.data.isEmpty { try data.checkFits(Float.self, data: s.data, targets: s.targets) }
                return ProblemInstance(LeastSquares<Float>(data, label: label, initialization: s.initialization))
            case .float64: return ProblemInstance(LeastSquares<Double>(data, label: label, initialization: s.initialization))
            }
        }
    }
}

/// The settings of `least-squares`.
public struct LeastSquaresSettings: ParameterSet {
    /// The settings that describe synthetic data, refused beside `data`.
    public struct Synthetic: ParameterSet {
        @Setting("n", range: 1...1e8, "number of samples")
        public var n = 1000
        @Setting("d", range: 1...1e5, "dimension (d ≤ n)")
        public var d = 50
        @Setting("kappa", range: 1...1e16, "condition number λmax/λmin of H")
        public var kappa = 100.0
        @Setting("lambda_max", range: 1e-12...1e12, "largest eigenvalue of H")
        public var lambdaMax = 1.0
        @Setting("spectrum", "eigenvalue layout between λmax/κ and λmax: log-uniform, uniform, or `spikes` at λmax and the rest at λmin")
        public var spectrum = SpectrumLayout.geometric
        @Setting("spikes", range: 1...1e5, "number of eigenvalues at λmax for the spiked layout")
        public var spikes = 1
        @Setting("noise", range: 0...1e6, "std σ of the target noise (0: realizable, F* = 0)")
        public var noise = 0.0
        @Setting("data_seed", range: 0...Double(Int32.max), "seed of the synthetic data (run seeds vary the sampling, and the start when init=gaussian)")
        public var dataSeed = 0
        public init() {}
    }
    public var synthetic = Synthetic()
    @Setting("data", "IDX file of the n×d design X (rows are samples, trailing dimensions flattened); empty: synthetic")
    public var data = ""
    @Setting("targets", "IDX file of the n targets y, given with data")
    public var targets = ""
    @Setting("init", "start: w₀ = 0, or w₀ ~ N(0, I/d) from the run seed")
    public var initialization = StandardInit.zeros
    public var precision = PrecisionSetting()
    public init() {}
}

extension LeastSquaresSettings {
    /// What an instance takes. Synthetic: U (d×n), V and B (d×d) and X (n×d) in float64 while
    /// X is formed, then X and y in the run precision; loaded: the file's bytes (compressed and
    /// inflated), X in float64 twice (read, then as a matrix; a third time when rescaled), and
    /// the eigendecomposition of the smaller Gram matrix (four k×k arrays, k = min(n, d) up to
    /// 2000; above it Lanczos' 300 vectors). A run adds the parameters and, for coordinate
    /// methods, a column-major copy of X.
    func memory() throws(ConfigurationError) -> MemoryEstimate {
        let scalar = precision.dtype.bytes
        if !data.isEmpty {
            guard let x = IDXReader.footprint(of: data), let y = IDXReader.footprint(of: targets) else {
                return MemoryEstimate(construction: 0, resident: 0, perRun: 0)
            }
            let n = x.rows ?? y.elements, d = x.columns ?? max(1, x.elements / max(n, 1)), k = min(n, d)
            let files = Bytes(x.fileBytes + x.inflatedBytes + y.fileBytes + y.inflatedBytes)
            let solve = k <= 2000 ? Bytes.values(4 * k, k, of: 8) : Bytes.values(300, k, of: 8)
            let construction = files + Bytes.values(x.elements, of: 8) * 3 + solve
            let resident = Bytes.values(x.elements, of: scalar) + Bytes.values(n, of: scalar) + Bytes.values(3 * d, of: 8)
            return estimate(construction: construction + (scalar == 8 ? Bytes() : resident), resident: resident, parameters: d, scalar: scalar,
                            scratch: Bytes.values(x.elements + n + d, of: scalar))
        }
        let s = synthetic
        try s.validate()
        let n = s.n, d = s.d
        let construction = Bytes.values(2 * n, d, of: 8) + Bytes.values(2 * d, d, of: 8) + Bytes.values(3 * n + 4 * d, of: 8)
        let resident = Bytes.values(n, d, of: scalar) + Bytes.values(n, of: scalar) + Bytes.values(3 * d, of: 8)
        return estimate(construction: construction, resident: resident, parameters: d, scalar: scalar,
                        scratch: Bytes.values(n, d, of: scalar) + Bytes.values(n + d, of: scalar))
    }
}

extension LeastSquaresSettings.Synthetic {
    /// d ≤ n and X within 2³⁰ entries.
    func validate() throws(ConfigurationError) {
        guard d <= n else {
            throw ConfigurationError("problem 'least-squares': d=\(d) exceeds n=\(n); expected d ≤ n so that H is positive definite")
        }
        try checkSize("least-squares", "n=\(n) d=\(d)", entries: (n, d))
    }
}

extension LeastSquaresData {
    /// The data the `least-squares` settings describe: loaded files, or the synthetic family.
    init(_ settings: LeastSquaresSettings) throws(ConfigurationError) {
        let dataPath = settings.data, targetsPath = settings.targets
        let problem = "problem 'least-squares'"
        if !dataPath.isEmpty || !targetsPath.isEmpty {
            guard !dataPath.isEmpty, !targetsPath.isEmpty else {
                throw ConfigurationError("\(problem): data and targets must be given together; got only \(dataPath.isEmpty ? "targets" : "data")")
            }
            if let given = settings.synthetic.explicitlySet.first {
                throw ConfigurationError(
                    "\(problem): \(given.name)=\(given.value) describes synthetic data and cannot be given with data=\(dataPath); expected the loaded data alone")
            }
            self = try .load(data: dataPath, targets: targetsPath)
            return
        }
        let s = settings.synthetic
        try s.validate()
        let spectrum = prescribedSpectrum(d: s.d, kappa: s.kappa, lambdaMax: s.lambdaMax, layout: s.spectrum, spikes: s.spikes)
        self = .synthetic(n: s.n, spectrum: spectrum, noise: s.noise, seed: UInt64(s.dataSeed))
    }
}
