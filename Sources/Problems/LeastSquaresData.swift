import OptBenchCore
import OptBenchDatasets
import OptBenchKernels
import OptBenchLinearAlgebra

/// The data of a least-squares problem in Double, with what theory says about them — the
/// spectrum of H = XᵀX/n, F*, a minimiser, L_max and the L_j — computed here, before the data
/// are converted to the run precision, so a float32 run reports the constants of the float64
/// instance it rounds.
///
/// Synthetic data (`synthetic`) have a prescribed spectrum and an exact F*. Loaded data (`load`,
/// `fromData`) get them by eigendecomposition on the smaller side of X: H when d ≤ n, else the
/// n×n K = XXᵀ/n, whose nonzero eigenvalues are H's (the other d − n are 0), so the cost follows
/// min(n, d)³ + n·d·min(n, d). F* is that of the minimum-norm solution w* = X⁺y through the
/// eigendecomposition, eigenvalues below d·ε·λmax counted as zero: w* = Σ (q_kᵀXᵀy/(nλ_k))·q_k
/// on the feature side, w* = Xᵀ(XXᵀ)⁺y on the sample side. F* is then accurate to about κ·ε
/// relative (absolute ε·‖y‖²/n when H is singular). Above `exactLimit` on both sides only
/// `Lanczos` bounds are computed (λavg = tr H/d = ‖X‖²_F/(nd)) and F* is unknown.
public struct LeastSquaresData: Sendable {
    /// The n×d design X, rows xᵢ.
    public let design: Matrix<Double>
    /// y.
    public let targets: [Double]
    /// Eigenvalues of H in decreasing order, all d of them, when known.
    public let spectrum: [Double]?
    /// The minimum-norm minimiser w* of F, when computed (loaded data).
    public let solution: [Double]?
    /// L = λmax, μ = λmin and λavg of H, L_max = maxᵢ‖xᵢ‖² and F*, as far as known.
    public let theory: TheoryConstants
    /// L_j = H_jj = ‖X_{:,j}‖²/n.
    public let coordinateLipschitz: [Double]

    /// The data with the constants that come from `spectrum` (or its bounds λmax, λmin, λavg)
    /// and `optimalValue`, plus L_max and the L_j, computed from X; non-finite values are left
    /// unknown.
    public init(
        design: Matrix<Double>, targets: [Double], spectrum: [Double]? = nil,
        spectralBounds: (max: Double, min: Double, average: Double)? = nil, optimalValue: Double? = nil,
        solution: [Double]? = nil
    ) {
        precondition(design.rows == targets.count, "\(targets.count) targets for \(design.rows) samples")
        let n = design.rows, d = design.columns
        self.design = design
        self.targets = targets
        self.spectrum = spectrum
        self.solution = solution
        var t = TheoryConstants(sampleCount: n, dimension: d)
        if let b = spectralBounds ?? spectrum.flatMap({ s in s.isEmpty ? nil : (s.first!, s.last!, s.reduce(0, +) / Double(s.count)) }) {
            t.lambdaMax = finite(b.max)
            t.lambdaMin = finite(b.min)
            t.lambdaAverage = finite(b.average)
            t.smoothness = t.lambdaMax
            t.strongConvexity = t.lambdaMin
        }
        t.maxSampleSmoothness = finite((0..<n).reduce(0.0) { m, i in max(m, dot(d, design.base + i * d, design.base + i * d)) })
        t.optimalValue = optimalValue.flatMap(finite)
        theory = t
        var c = [Double](repeating: 0, count: d)
        c.withUnsafeMutableBufferPointer { design.columnSquaredNorms(into: $0) }
        coordinateLipschitz = c.map { $0 / Double(n) }
    }

    /// The synthetic instance with H's eigenvalues exactly `spectrum` (decreasing), as
    /// `LeastSquares` describes: X = √n·U·diag(√λ)·Vᵀ, y = Xw⋆ + σξ, F* = ‖(I − UUᵀ)y‖²/(2n).
    public static func synthetic(n: Int, spectrum: [Double], noise: Double, seed: UInt64) -> LeastSquaresData {
        let d = spectrum.count
        var rng = Xoshiro256(seed: seed, stream: 3)
        let u = orthonormalRows(count: d, length: n, rng: &rng)  // d×n: rows are U's columns
        let v = orthonormalRows(count: d, length: d, rng: &rng)  // d×d: rows are V's columns
        // X = √n·U·B with B = diag(√λ)·Vᵀ, accumulated row by row of X.
        var b = [Double](repeating: 0, count: d * d)
        for j in 0..<d {
            let s = (spectrum[j] * Double(n)).squareRoot()
            for k in 0..<d { b[j * d + k] = s * v[j * d + k] }
        }
        let x = Matrix<Double>(rows: n, columns: d)
        u.withUnsafeBufferPointer { up in
            b.withUnsafeBufferPointer { bp in
                for i in 0..<n {
                    for j in 0..<d { axpy(d, up[j * n + i], bp.baseAddress! + j * d, x.base + i * d) }
                }
            }
        }
        let wStar = (0..<d).map { _ in rng.nextGaussian() / Double(d).squareRoot() }
        var y = [Double](repeating: 0, count: n)
        for i in 0..<n { y[i] = dot(d, x.base + i * d, wStar) }
        for i in 0..<n { y[i] += noise * rng.nextGaussian() }
        var fStar = 0.0
        // With n = d the column space of X is all of ℝⁿ: any targets are fitted exactly.
        if noise > 0 && n > d {
            // F* = ‖y − UUᵀy‖²/(2n): the residual of y's projection onto the column space of X.
            var r = y
            u.withUnsafeBufferPointer { up in
                r.withUnsafeMutableBufferPointer { rp in
                    for j in 0..<d {
                        let c = dot(n, up.baseAddress! + j * n, rp.baseAddress!)
                        axpy(n, -c, up.baseAddress! + j * n, rp.baseAddress!)
                    }
                }
            }
            fStar = r.withUnsafeBufferPointer { dot(n, $0.baseAddress!, $0.baseAddress!) } / (2 * Double(n))
        }
        return LeastSquaresData(design: x, targets: y, spectrum: spectrum, optimalValue: fStar)
    }

    /// Reads X (n×d, trailing dimensions flattened) and y (n entries) from IDX files and
    /// analyses them (`fromData`). Entries whose squares overflow, or whose squares sum past
    /// the largest Double, are refused with the file and the entry: F(0) = ‖y‖²/(2n) and H
    /// would not be finite.
    public static func load(data: String, targets: String, exactLimit: Int = 2000) throws(ConfigurationError) -> LeastSquaresData {
        let x = try IDXReader.read(contentsOf: data)
        let y = try IDXReader.read(contentsOf: targets)
        guard y.values.count == x.rows else {
            throw ConfigurationError("file \(targets): targets has \(y.values.count) entries; data (\(data), \(x.shapeDescription)) has \(x.rows) rows")
        }
        guard x.rows > 0, x.columns > 0 else {
            throw ConfigurationError("file \(data): \(x.shapeDescription) has no entries; expected at least one sample and one feature")
        }
        try x.values.withUnsafeBufferPointer { (v) throws(ConfigurationError) in try checkSquares(v, columns: x.columns, file: data) }
        try y.values.withUnsafeBufferPointer { (v) throws(ConfigurationError) in try checkSquares(v, columns: 1, file: targets) }
        return try fromData(
            design: Matrix(rows: x.rows, columns: x.columns, x.values), targets: y.values,
            source: "data \(data) and targets \(targets)", exactLimit: exactLimit)
    }

    /// Refuses `values` (row-major, `columns` wide) when an entry's square, or the sum of all
    /// squares, is not finite in `Scalar` (the precision the problem will compute in), naming
    /// `file` and the (largest) entry.
    static func checkSquares<Scalar: BinaryFloatingPoint>(_ values: UnsafeBufferPointer<Double>, columns: Int, file: String,
                                                          as _: Scalar.Type = Double.self) throws(ConfigurationError) {
        func entry(_ k: Int) -> String { columns == 1 ? "entry \(k)" : "entry (\(k / columns), \(k % columns))" }
        let name = Scalar.self == Float.self ? "a Float (dtype=float32)" : "a Double"
        let limit = Double(Scalar.greatestFiniteMagnitude)
        let bound = Scalar.self == Float.self ? "1.8e19" : "1e154"
        var sum = 0.0, largest = 0
        for (k, v) in values.enumerated() {
            guard v * v <= limit else {
                throw ConfigurationError(
                    "file \(file): \(entry(k)) = \(v) is too large: its square overflows \(name); expected entries of magnitude below \(bound)")
            }
            sum += v * v
            if abs(v) > abs(values[largest]) { largest = k }
        }
        guard sum <= limit else {
            throw ConfigurationError(
                "file \(file): the squares of the entries sum past the largest \(Scalar.self == Float.self ? "Float (dtype=float32)" : "Double") (largest \(entry(largest)) = \(values[largest])); expected a finite sum of squares, e.g. after rescaling")
        }
    }

    /// Refuses loaded data that fits a Double but whose squares overflow `Scalar`.
    public func checkFits<Scalar: BinaryFloatingPoint>(_ type: Scalar.Type, data: String, targets: String) throws(ConfigurationError) {
        try LeastSquaresData.checkSquares(UnsafeBufferPointer(design.storage), columns: design.columns, file: data, as: type)
        try self.targets.withUnsafeBufferPointer { (y) throws(ConfigurationError) in
            try LeastSquaresData.checkSquares(y, columns: 1, file: targets, as: type)
        }
    }

    /// The data with H's spectrum, w* and F* computed as the type describes; `source` names
    /// the data in errors.
    public static func fromData(
        design x: Matrix<Double>, targets y: [Double], source: String = "the data", exactLimit: Int = 2000
    ) throws(ConfigurationError) -> LeastSquaresData {
        let n = x.rows, d = x.columns
        // The eigen-solver squares entries of H ~ n·x², which overflow (or underflow) long
        // before x² does. Least squares is scale-covariant — X/s and y/t have spectrum λ/s²,
        // minimiser w*·s/t and F*/t² — and dividing by a power of two is exact, so far-out
        // data are analysed scaled and the results scaled back; ordinary data are not touched.
        let sx = binaryScale(x.storage), sy = binaryScale(y)
        if sx != 1 || sy != 1 {
            let scaledX = Matrix<Double>(rows: n, columns: d)
            for k in 0..<(n * d) { scaledX.storage[k] = x.storage[k] / sx }
            let scaled = try fromData(design: scaledX, targets: y.map { $0 / sy }, source: source, exactLimit: exactLimit)
            let t = scaled.theory, s2 = sx * sx
            return LeastSquaresData(
                design: x, targets: y, spectrum: scaled.spectrum?.map { $0 * s2 },
                spectralBounds: scaled.spectrum == nil
                    ? ((t.lambdaMax ?? .nan) * s2, (t.lambdaMin ?? .nan) * s2, (t.lambdaAverage ?? .nan) * s2) : nil,
                optimalValue: t.optimalValue.map { $0 * sy * sy }, solution: scaled.solution?.map { $0 * (sy / sx) })
        }
        guard min(n, d) <= exactLimit else {
            let bounds = lanczosBounds(x)
            guard bounds.max.isFinite, bounds.min.isFinite, bounds.average.isFinite else {
                throw ConfigurationError("\(source): the extreme eigenvalues of XᵀX/n are not finite; expected finite data of moderate scale")
            }
            return LeastSquaresData(design: x, targets: y, spectralBounds: bounds)
        }
        let (spectrum, w) = d <= n ? featureSideSolution(x, y) : sampleSideSolution(x, y)
        let fStar = y.withUnsafeBufferPointer { 0.5 * squaredResiduals(x, $0, w) / Double(n) }
        guard spectrum.allSatisfy(\.isFinite), w.allSatisfy(\.isFinite), fStar.isFinite else {
            throw ConfigurationError("\(source): the spectrum of XᵀX/n or the minimum-norm solution is not finite; expected finite data of moderate scale")
        }
        return LeastSquaresData(design: x, targets: y, spectrum: spectrum, optimalValue: fStar, solution: w)
    }

    /// H's spectrum and w* = Σ_{λ_k > tol} (q_kᵀb/λ_k)·q_k with b = Xᵀy/n, from the d×d H.
    static func featureSideSolution(_ x: Matrix<Double>, _ y: [Double]) -> (spectrum: [Double], solution: [Double]) {
        let n = x.rows, d = x.columns
        var h = [Double](repeating: 0, count: d * d)
        h.withUnsafeMutableBufferPointer { weightedGram(rows: n, columns: d, x.base, weights: nil, scale: 1 / Double(n), into: $0.baseAddress!) }
        let eigen = SymmetricEigen(symmetric: h, dimension: d, computeVectors: true)
        var b = [Double](repeating: 0, count: d)
        y.withUnsafeBufferPointer { gemv(.transposed, n, d, 1 / Double(n), x.base, d, $0.baseAddress!, 0, &b) }
        let tolerance = Double(d) * Double.ulpOfOne * max(eigen.eigenvalues[0], 0)
        var w = [Double](repeating: 0, count: d)
        let q = eigen.eigenvectors!
        for k in 0..<d where eigen.eigenvalues[k] > tolerance {
            let c = q.withUnsafeBufferPointer { dot(d, $0.baseAddress! + k * d, b) } / eigen.eigenvalues[k]
            q.withUnsafeBufferPointer { axpy(d, c, $0.baseAddress! + k * d, &w) }
        }
        return (eigen.eigenvalues.map(clampedAtZero), w)
    }

    /// H's spectrum (K's n eigenvalues, then d − n zeros) and w* = Xᵀα with
    /// α = (XXᵀ)⁺y = Σ_{μ_k > tol} (u_kᵀy/(nμ_k))·u_k, from the n×n K = XXᵀ/n = Σ μ_k u_k u_kᵀ.
    static func sampleSideSolution(_ x: Matrix<Double>, _ y: [Double]) -> (spectrum: [Double], solution: [Double]) {
        let n = x.rows, d = x.columns
        var k = [Double](repeating: 0, count: n * n)
        k.withUnsafeMutableBufferPointer { gemm(.none, .transposed, n, n, d, 1 / Double(n), x.base, d, x.base, d, 0, $0.baseAddress!, n) }
        let eigen = SymmetricEigen(symmetric: k, dimension: n, computeVectors: true)
        let tolerance = Double(d) * Double.ulpOfOne * max(eigen.eigenvalues[0], 0)
        var alpha = [Double](repeating: 0, count: n)
        let u = eigen.eigenvectors!
        for j in 0..<n where eigen.eigenvalues[j] > tolerance {
            let c = u.withUnsafeBufferPointer { dot(n, $0.baseAddress! + j * n, y) } / (Double(n) * eigen.eigenvalues[j])
            u.withUnsafeBufferPointer { axpy(n, c, $0.baseAddress! + j * n, &alpha) }
        }
        var w = [Double](repeating: 0, count: d)
        gemv(.transposed, n, d, 1, x.base, d, alpha, 0, &w)
        let spectrum = eigen.eigenvalues.map(clampedAtZero) + [Double](repeating: 0, count: d - n)
        return (spectrum, w)
    }

    /// (λmax, λmin, λavg) of H by Lanczos on the smaller of XᵀX/n and XXᵀ/n; λmin = 0 when n < d.
    static func lanczosBounds(_ x: Matrix<Double>) -> (max: Double, min: Double, average: Double) {
        let n = x.rows, d = x.columns
        let average = dot(n * d, x.base, x.base) / Double(n * d)
        let inner = min(n, d), outer = max(n, d)
        var z = [Double](repeating: 0, count: outer)
        let bounds = z.withUnsafeMutableBufferPointer { zp in
            Lanczos.extremeEigenvalues(dimension: inner, tolerance: 1e-8) { v, out in
                if d <= n {
                    gemv(.none, n, d, 1, x.base, d, v, 0, zp.baseAddress!)
                    gemv(.transposed, n, d, 1 / Double(n), x.base, d, zp.baseAddress!, 0, out)
                } else {
                    gemv(.transposed, n, d, 1, x.base, d, v, 0, zp.baseAddress!)
                    gemv(.none, n, d, 1 / Double(n), x.base, d, zp.baseAddress!, 0, out)
                }
            }
        }
        return (bounds.largest, d <= n ? clampedAtZero(bounds.smallest) : 0, average)
    }
}

/// Σᵢ (xᵢᵀw − yᵢ)², each residual formed in the data's precision and summed in Double.
/// - Complexity: O(nd).
func squaredResiduals<Scalar: KernelScalar>(_ x: Matrix<Scalar>, _ y: UnsafeBufferPointer<Scalar>, _ w: UnsafePointer<Scalar>) -> Double {
    let d = x.columns
    var s = 0.0
    for i in 0..<x.rows {
        let r = Double(dot(d, x.base + i * d, w) - y[i])
        s += r * r
    }
    return s
}

/// max(0, λ) for an eigenvalue of the positive semidefinite H, whose negatives are rounding of a
/// singular H; NaN stays NaN (`max(0, .nan)` is 0), for the finiteness checks after.
func clampedAtZero(_ lambda: Double) -> Double { lambda.isNaN ? lambda : max(0, lambda) }

/// 2^e with 2^e ≤ max|vₖ| < 2^(e+1) when that is outside [2⁻⁶⁴, 2⁶⁴], else 1.
func binaryScale<C: Collection<Double>>(_ values: C) -> Double {
    let m = values.reduce(0.0) { max($0, abs($1)) }
    guard m != 0, m < 0x1p-64 || m > 0x1p64 else { return 1 }
    return Double(sign: .plus, exponent: m.exponent, significand: 1)
}

/// v when finite, else nil: a constant that overflowed is not known.
func finite(_ v: Double) -> Double? { v.isFinite ? v : nil }

/// d eigenvalues from λmax down to λmax/κ in the given layout.
public func prescribedSpectrum(d: Int, kappa: Double, lambdaMax: Double, layout: SpectrumLayout, spikes: Int = 1) -> [Double] {
    let lmin = lambdaMax / kappa
    guard d > 1 else { return [lambdaMax] }
    return (0..<d).map { i in
        let t = Double(i) / Double(d - 1)
        switch layout {
        case .linear: return lambdaMax + t * (lmin - lambdaMax)
        case .spiked: return i < spikes ? lambdaMax : lmin
        case .geometric: return lambdaMax * Math.pow(kappa, -t)
        }
    }
}

/// How the synthetic spectrum of H spreads between λmax/κ and λmax: `spectrum=geometric|linear|spiked`.
public enum SpectrumLayout: String, ParameterChoice {
    /// Log-uniform: λ_k = λmax·κ^{−k/(d−1)}.
    case geometric
    /// Uniform: λ_k = λmax + (k/(d−1))(λmax/κ − λmax).
    case linear
    /// `spikes` eigenvalues at λmax, the rest at λmax/κ.
    case spiked
}
