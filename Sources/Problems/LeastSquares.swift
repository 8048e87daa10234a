import Core
import Kernels

/// Linear least squares F(w) = ‖Xw − y‖²/(2n) = (1/n) Σᵢ ½(xᵢᵀw − yᵢ)², X ∈ ℝⁿˣᵈ.
///
/// ∇F(w) = Xᵀ(Xw − y)/n and ∇fᵢ(w) = (xᵢᵀw − yᵢ)xᵢ. The Hessian H = XᵀX/n is constant; the
/// survey's Appendix C states every method's epoch complexity through its spectrum:
/// L = λmax, μ = λmin, κ = λmax/λmin, κ_D = λavg/λmin and λmax/λavg.
///
/// The synthetic family prescribes that spectrum exactly: X = √n·U·diag(√λ)·Vᵀ with U ∈ ℝⁿˣᵈ
/// orthonormal columns and V ∈ ℝᵈˣᵈ orthogonal, both Haar-like from Gaussian draws, so that
/// H = V·diag(λ)·Vᵀ. Targets are y = Xw⋆ (realizable, F* = 0) or y = Xw⋆ + σξ (noisy), where
/// F* = ‖(I − UUᵀ)y‖²/(2n) exactly.
///
/// User data (`--set data=X.idx --set targets=y.idx`, IDX files) get H's spectrum from
/// `SymmetricEigen` (d ≤ 2000; above, λmax and λmin from `Lanczos`, λavg = tr H/d) and F* from
/// the minimum-norm solution w* = H⁺Xᵀy/n of the normal equations through the
/// eigendecomposition, eigenvalues below d·ε·λmax counted as zero: F* is then accurate to about
/// κ·ε relative (absolute ε·‖y‖²/n when H is singular).
public final class LeastSquares: Problem {
    /// The n×d design matrix X.
    public let design: Matrix
    public let targets: [Double]
    public let sampleCount: Int
    public let dimension: Int
    /// Eigenvalues of H in decreasing order, when known.
    public let spectrum: [Double]?
    public let optimalValue: Double?
    /// (λmax, λmin, λavg) of H when the full spectrum is not known (large loaded data).
    public let spectralBounds: (max: Double, min: Double, average: Double)?
    /// A minimiser w* of F, when computed (loaded data).
    public let solution: [Double]?
    public let label: String
    let initScale: Double
    lazy var predictionCache = LinearPredictionCache(design: design)

    public init(
        design: Matrix, targets: [Double], spectrum: [Double]?, optimalValue: Double?, label: String, initScale: Double = 1,
        spectralBounds: (max: Double, min: Double, average: Double)? = nil, solution: [Double]? = nil
    ) {
        precondition(design.rows == targets.count)
        self.design = design
        self.targets = targets
        self.sampleCount = targets.count
        self.dimension = design.columns
        self.spectrum = spectrum
        self.optimalValue = optimalValue
        self.label = label
        self.initScale = initScale
        self.spectralBounds = spectralBounds ?? spectrum.flatMap { s in
            s.isEmpty ? nil : (s.first!, s.last!, s.reduce(0, +) / Double(s.count))
        }
        self.solution = solution
    }

    public var capabilities: OracleCapabilities { [.fullGradient, .sampleGradients, .coordinates, .linearSamples] }

    /// max ᵢ ‖xᵢ‖², the smoothness constant of the worst single sample (SAG/SAGA step sizes).
    public var maxSampleLipschitz: Double {
        (0..<sampleCount).reduce(0.0) { m, i in max(m, dot(dimension, design.base + i * dimension, design.base + i * dimension)) }
    }

    /// φᵢ(z) = ½(z − yᵢ)², so φᵢ′(xᵢᵀw) is the residual xᵢᵀw − yᵢ.
    public func sampleDerivative(at w: UnsafeBufferPointer<Double>, sample i: Int) -> Double {
        dot(dimension, design.base + i * dimension, w.baseAddress!) - targets[i]
    }

    public func features(ofSample i: Int) -> UnsafeBufferPointer<Double> { UnsafeBufferPointer(design.row(i)) }

    /// L_j = H_jj = ‖X_{:,j}‖²/n.
    public func coordinateLipschitzConstants(into constants: UnsafeMutableBufferPointer<Double>) -> Bool {
        design.columnSquaredNorms(into: constants)
        for j in 0..<dimension { constants[j] /= Double(sampleCount) }
        return true
    }

    public var properties: [(name: String, value: Double)] {
        var p: [(name: String, value: Double)] = [("n", Double(sampleCount)), ("d", Double(dimension))]
        if let (lmax, lmin, lavg) = spectralBounds {
            p += [("lambda_max", lmax), ("lambda_min", lmin), ("lambda_avg", lavg),
                  ("kappa", lmax / lmin), ("kappa_D", lavg / lmin), ("lambda_max/lambda_avg", lmax / lavg)]
        }
        p.append(("L_max", maxSampleLipschitz))
        if let f = optimalValue { p.append(("F*", f)) }
        return p
    }

    /// w₀ ~ N(0, initScale²·I/d) from `seed`.
    public func initialPoint(seed: UInt64) -> [Double] {
        var rng = Xoshiro256(seed: seed, stream: 2)
        let s = initScale / Double(dimension).squareRoot()
        return (0..<dimension).map { _ in s * rng.nextGaussian() }
    }

    public func loss(at w: UnsafeBufferPointer<Double>) -> Double {
        let d = dimension, x = design.base
        return targets.withUnsafeBufferPointer { y in
                var s = 0.0
                for i in 0..<sampleCount {
                    let r = dot(d, x + i * d, w.baseAddress!) - y[i]
                    s += r * r
                }
                return 0.5 * s / Double(sampleCount)
        }
    }

    public func lossAndGradient(at w: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) -> Double {
        let d = dimension, x = design.base
        let invN = 1 / Double(sampleCount)
        g.update(repeating: 0)
        let s = targets.withUnsafeBufferPointer { y in
            linearModelGradient(rows: sampleCount, columns: d, x, w.baseAddress!, addingTo: g.baseAddress!) { i, z in
                let r = z - y[i]
                return (r * r, r * invN)
            }
        }
        return 0.5 * s * invN
    }

    public func sampleGradient(at w: UnsafeBufferPointer<Double>, samples: UnsafeBufferPointer<Int>, into g: UnsafeMutableBufferPointer<Double>) {
        let d = dimension, x = design.base
        let scale = 1 / Double(samples.count)
        g.update(repeating: 0)
        targets.withUnsafeBufferPointer { y in
            for (k, i) in samples.enumerated() {
                // Random rows: request the one four samples ahead while this one is used.
                if k + 4 < samples.count { prefetch(x + samples[k + 4] * d, bytes: d * 8) }
                let row = x + i * d
                let r = dot(d, row, w.baseAddress!) - y[i]
                axpy(d, r * scale, row, g.baseAddress!)
            }
        }
    }

    /// ∂F/∂w_j = (1/n)·X[:, j]ᵀ(Xw − y): O(n + d) amortised under coordinate moves, from
    /// cached predictions Xw (see `LinearPredictionCache`; first call O(nd) and n·d memory).
    public func coordinateGradient(at w: UnsafeBufferPointer<Double>, coordinate j: Int) -> Double {
        let n = sampleCount
        return predictionCache.withPredictions(at: w, column: j) { z, column in
            targets.withUnsafeBufferPointer { y in
                var s = 0.0
                for i in 0..<n { s += column[i] * (z[i] - y[i]) }
                return s / Double(n)
            }
        }
    }

    public static let entry = ProblemEntry(
        name: "least-squares",
        summary: "linear least squares ‖Xw − y‖²/(2n) with a prescribed spectrum of H = XᵀX/n, F* exact",
        settings: [
            .integer("n", 1000, range: 1...1e8, "number of samples"),
            .integer("d", 50, range: 1...1e5, "dimension (d ≤ n)"),
            .real("kappa", 100, range: 1...1e16, "condition number λmax/λmin of H"),
            .real("lambda_max", 1, range: 1e-12...1e12, "largest eigenvalue of H"),
            .choice("spectrum", ["geometric", "linear", "spiked"], default: "geometric",
                    "eigenvalue layout between λmax/κ and λmax: log-uniform, uniform, or `spikes` at λmax and the rest at λmin"),
            .integer("spikes", 1, range: 1...1e5, "number of eigenvalues at λmax for the spiked layout"),
            .real("noise", 0, range: 0...1e6, "std σ of the target noise (0: realizable, F* = 0)"),
            .integer("data_seed", 0, range: 0...Double(Int32.max), "seed of the synthetic data (run seeds vary the start and sampling)"),
            .text("data", "", "IDX file of the n×d design X (rows are samples, trailing dimensions flattened); empty: synthetic"),
            .text("targets", "", "IDX file of the n targets y, given with data"),
        ]
    ) { p in
        let dataPath = p.text("data"), targetsPath = p.text("targets")
        if !dataPath.isEmpty || !targetsPath.isEmpty {
            guard !dataPath.isEmpty, !targetsPath.isEmpty else {
                throw ConfigurationError("problem 'least-squares': data and targets must be given together; got only \(dataPath.isEmpty ? "targets" : "data")")
            }
            return try LeastSquares.load(data: dataPath, targets: targetsPath, label: problemLabel("least-squares", p))
        }
        let n = p.integer("n"), d = p.integer("d")
        guard d <= n else {
            throw ConfigurationError("problem 'least-squares': d=\(d) exceeds n=\(n); expected d ≤ n so that H is positive definite")
        }
        let spectrum = prescribedSpectrum(
            d: d, kappa: p.real("kappa"), lambdaMax: p.real("lambda_max"), layout: p.text("spectrum"), spikes: p.integer("spikes"))
        return LeastSquares.synthetic(
            n: n, spectrum: spectrum, noise: p.real("noise"), seed: UInt64(p.integer("data_seed")), label: problemLabel("least-squares", p))
    }

    /// The synthetic instance with H's eigenvalues exactly `spectrum` (decreasing).
    public static func synthetic(n: Int, spectrum: [Double], noise: Double, seed: UInt64, label: String = "least-squares") -> LeastSquares {
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
        let x = Matrix(rows: n, columns: d)
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
        return LeastSquares(design: x, targets: y, spectrum: spectrum, optimalValue: fStar, label: label)
    }
}

extension LeastSquares {
    /// Reads X (n×d, trailing dimensions flattened) and y (n entries) from IDX files and
    /// computes H's spectrum and F* as described on the type.
    public static func load(data: String, targets: String, label: String = "least-squares") throws(ConfigurationError) -> LeastSquares {
        let x = try IDXReader.read(contentsOf: data)
        let y = try IDXReader.read(contentsOf: targets)
        guard y.values.count == x.rows else {
            throw ConfigurationError("file \(targets): targets has \(y.values.count) entries; data (\(data), \(x.shapeDescription)) has \(x.rows) rows")
        }
        guard x.rows > 0, x.columns > 0 else {
            throw ConfigurationError("file \(data): \(x.shapeDescription) has no entries; expected at least one sample and one feature")
        }
        return fromData(design: Matrix(rows: x.rows, columns: x.columns, x.values), targets: y.values, label: label)
    }

    /// The problem on given data, with H's spectrum and F* computed (see the type's notes);
    /// above `exactLimit` features only Lanczos bounds, and F* is unknown.
    public static func fromData(design x: Matrix, targets y: [Double], label: String, exactLimit: Int = 2000) -> LeastSquares {
        let n = x.rows, d = x.columns
        guard d <= exactLimit else {
            let frobenius = dot(n * d, x.base, x.base)
            var z = [Double](repeating: 0, count: n)
            let bounds = z.withUnsafeMutableBufferPointer { zp in
                Lanczos.extremeEigenvalues(dimension: d, tolerance: 1e-8) { v, out in
                    gemv(.none, n, d, 1, x.base, d, v, 0, zp.baseAddress!)
                    gemv(.transposed, n, d, 1 / Double(n), x.base, d, zp.baseAddress!, 0, out)
                }
            }
            return LeastSquares(
                design: x, targets: y, spectrum: nil, optimalValue: nil, label: label,
                spectralBounds: (bounds.largest, max(0, bounds.smallest), frobenius / Double(n * d)))
        }
        var h = [Double](repeating: 0, count: d * d)
        h.withUnsafeMutableBufferPointer { weightedGram(rows: n, columns: d, x.base, weights: nil, scale: 1 / Double(n), into: $0.baseAddress!) }
        let eigen = SymmetricEigen(symmetric: h, dimension: d, computeVectors: true)
        var b = [Double](repeating: 0, count: d)
        y.withUnsafeBufferPointer { gemv(.transposed, n, d, 1 / Double(n), x.base, d, $0.baseAddress!, 0, &b) }
        // Minimum-norm solution w* = Σ_{λ_k > tol} (q_kᵀb/λ_k)·q_k of H·w = b.
        let tolerance = Double(d) * Double.ulpOfOne * max(eigen.eigenvalues[0], 0)
        var w = [Double](repeating: 0, count: d)
        let q = eigen.eigenvectors!
        for k in 0..<d where eigen.eigenvalues[k] > tolerance {
            let c = q.withUnsafeBufferPointer { dot(d, $0.baseAddress! + k * d, b) } / eigen.eigenvalues[k]
            q.withUnsafeBufferPointer { axpy(d, c, $0.baseAddress! + k * d, &w) }
        }
        let spectrum = eigen.eigenvalues.map { max(0, $0) }  // negatives are rounding of a singular H
        let problem = LeastSquares(design: x, targets: y, spectrum: spectrum, optimalValue: nil, label: label)
        let fStar = problem.loss(w)
        return LeastSquares(design: x, targets: y, spectrum: spectrum, optimalValue: fStar, label: label, solution: w)
    }
}

/// d eigenvalues from λmax down to λmax/κ in the given layout.
public func prescribedSpectrum(d: Int, kappa: Double, lambdaMax: Double, layout: String, spikes: Int = 1) -> [Double] {
    let lmin = lambdaMax / kappa
    guard d > 1 else { return [lambdaMax] }
    return (0..<d).map { i in
        let t = Double(i) / Double(d - 1)
        switch layout {
        case "linear": return lambdaMax + t * (lmin - lambdaMax)
        case "spiked": return i < spikes ? lambdaMax : lmin
        default: return lambdaMax * _pow(kappa, -t)
        }
    }
}

/// `count` orthonormal vectors of ℝ^length, from Gaussian draws by classical Gram–Schmidt
/// applied twice (CGS2, orthogonal to working precision), as rows of a count×length matrix.
func orthonormalRows(count: Int, length: Int, rng: inout Xoshiro256) -> [Double] {
    precondition(count <= length)
    var q = [Double](repeating: 0, count: count * length)
    var coeff = [Double](repeating: 0, count: count)
    q.withUnsafeMutableBufferPointer { qp in
        coeff.withUnsafeMutableBufferPointer { cp in
            let base = qp.baseAddress!
            for j in 0..<count {
                let v = base + j * length
                while true {
                    for k in 0..<length { v[k] = rng.nextGaussian() }
                    for _ in 0..<2 where j > 0 {
                        gemv(.none, j, length, 1, base, length, v, 0, cp.baseAddress!)
                        gemv(.transposed, j, length, -1, base, length, cp.baseAddress!, 1, v)
                    }
                    let norm = nrm2(length, v)
                    if norm > 1e-8 {
                        scal(length, 1 / norm, v)
                        break
                    }
                }
            }
        }
    }
    return q
}

#if canImport(Glibc)
import Glibc
@usableFromInline func _pow(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
#else
import Foundation
@usableFromInline func _pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
#endif
