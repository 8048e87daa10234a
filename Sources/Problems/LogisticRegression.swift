import Core
import Kernels

/// Binary logistic regression with an ℓ2 penalty,
///
///     F(w) = (1/n) Σᵢ log(1 + exp(−yᵢ xᵢᵀw)) + (λ/2)‖w‖²,   yᵢ ∈ {−1, +1},
///
/// a linear-sample problem fᵢ(w) = φᵢ(xᵢᵀw) + (λ/2)‖w‖² with φᵢ(z) = log(1 + e^{−yᵢz}), so
/// φᵢ′(z) = −yᵢ·σ(−yᵢz), ∇fᵢ(w) = φᵢ′(xᵢᵀw)·xᵢ + λw and ∇F(w) = (1/n)Xᵀφ′(Xw) + λw. F is
/// λ-strongly convex and L-smooth with L = λmax(XᵀX)/(4n) + λ (survey §5's convex baseline).
/// Both log(1 + eᵗ) and σ are evaluated in forms that never overflow.
///
/// Synthetic data: xᵢ ~ N(0, S²), S = diag(s_j), s_j = c^{−j/(d−1)} with c = `feature_scale`
/// (1: isotropic; c spreads the Hessian's spectrum by about c²); a planted w° scaled so margins
/// xᵢᵀw° are N(0, separation²); yᵢ = +1 with probability σ(xᵢᵀw°) (the model itself), then
/// flipped with probability `flip`. Larger separation means cleaner labels and a
/// harder-conditioned optimum.
///
/// F* is found at construction by Newton's method from w = 0: exact Hessian
/// ∇²F = XᵀDX/n + λI (D = diag σ(zᵢ)σ(−zᵢ)) formed by `weightedGram`, Cholesky solves and an
/// Armijo backtracking, until ‖∇F‖₂ ≤ 10⁻¹²·max(1, ‖∇F(0)‖₂). Forming the Hessian costs
/// n·d²/2 multiply-adds (2.5·10⁹ at n = 20000, d = 500), so it is refreshed only while far
/// from w* (‖∇F‖ > 10⁻²‖∇F(0)‖) or when progress slows; near w* the last factor is reused
/// (≈ 3 Hessians and 10–15 cheap iterations; about 1 s at that size). The gradient norm reached is reported
/// as `reference_gradient_norm`; F(w*) − F* ≤ ‖∇F(w*)‖²/(2λ) is negligible. `reference=false`
/// skips the solve (F* unknown) for instances too large to afford it.
public final class LogisticRegression: Problem {
    /// The n×d feature matrix X, rows xᵢ.
    public let design: Matrix
    /// yᵢ ∈ {−1, +1}.
    public let labels: [Double]
    /// λ.
    public let lambda: Double
    public let sampleCount: Int
    public let dimension: Int
    public let label: String
    public private(set) var optimalValue: Double?
    /// The reference minimiser w*, when solved.
    public private(set) var solution: [Double]?
    /// ‖∇F(w*)‖₂ at the reference solution.
    public private(set) var referenceGradientNorm: Double?
    /// Newton iterations the reference solve took.
    public private(set) var referenceIterations = 0
    /// Hessians formed by the reference solve.
    public private(set) var hessians = 0
    lazy var predictionCache = LinearPredictionCache(design: design)

    public init(design: Matrix, labels: [Double], lambda: Double, label: String = "logistic", solveReference: Bool = true) {
        precondition(design.rows == labels.count, "\(labels.count) labels for \(design.rows) samples")
        precondition(labels.allSatisfy { $0 == 1 || $0 == -1 }, "labels must be ±1")
        self.design = design
        self.labels = labels
        self.lambda = lambda
        sampleCount = labels.count
        dimension = design.columns
        self.label = label
        if solveReference { solveByNewton() }
    }

    public var capabilities: OracleCapabilities { [.fullGradient, .sampleGradients, .coordinates, .linearSamples] }
    public var l2Penalty: Double { lambda }

    public lazy var properties: [(name: String, value: Double)] = {
        let n = sampleCount, d = dimension
        var z = [Double](repeating: 0, count: n)
        let top = z.withUnsafeMutableBufferPointer { zp in
            Lanczos.extremeEigenvalues(dimension: d, maxSteps: 60, tolerance: 1e-6) { v, out in
                gemv(.none, n, d, 1, design.base, d, v, 0, zp.baseAddress!)
                gemv(.transposed, n, d, 1 / Double(n), design.base, d, zp.baseAddress!, 0, out)
            }
        }.largest
        let maxRow = (0..<n).reduce(0.0) { max($0, dot(d, design.base + $1 * d, design.base + $1 * d)) }
        var p: [(name: String, value: Double)] = [
            ("n", Double(n)), ("d", Double(d)), ("lambda", lambda),
            ("L", top / 4 + lambda), ("mu", lambda), ("kappa", (top / 4 + lambda) / lambda), ("L_max", maxRow / 4 + lambda),
        ]
        if let g = referenceGradientNorm { p.append(("reference_gradient_norm", g)) }
        return p
    }()

    /// w₀ ~ N(0, I/d) from `seed`.
    public func initialPoint(seed: UInt64) -> [Double] {
        var rng = Xoshiro256(seed: seed, stream: 2)
        let s = 1 / Double(dimension).squareRoot()
        return (0..<dimension).map { _ in s * rng.nextGaussian() }
    }

    /// φᵢ′(xᵢᵀw) = −yᵢ·σ(−yᵢ xᵢᵀw).
    public func sampleDerivative(at w: UnsafeBufferPointer<Double>, sample i: Int) -> Double {
        let y = labels[i]
        return -y * sigmoid(-y * dot(dimension, design.base + i * dimension, w.baseAddress!))
    }

    public func features(ofSample i: Int) -> UnsafeBufferPointer<Double> { UnsafeBufferPointer(design.row(i)) }

    /// L_j = ‖X_{:,j}‖²/(4n) + λ, since the logistic loss has curvature σ(1 − σ) ≤ ¼.
    public func coordinateLipschitzConstants(into constants: UnsafeMutableBufferPointer<Double>) -> Bool {
        design.columnSquaredNorms(into: constants)
        for j in 0..<dimension { constants[j] = constants[j] / (4 * Double(sampleCount)) + lambda }
        return true
    }

    public func loss(at w: UnsafeBufferPointer<Double>) -> Double {
        let d = dimension, x = design.base
        var s = 0.0
        labels.withUnsafeBufferPointer { y in
            for i in 0..<sampleCount { s += softplus(-y[i] * dot(d, x + i * d, w.baseAddress!)) }
        }
        return s / Double(sampleCount) + 0.5 * lambda * dot(d, w.baseAddress!, w.baseAddress!)
    }

    public func lossAndGradient(at w: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) -> Double {
        let d = dimension, x = design.base, invN = 1 / Double(sampleCount)
        let wp = w.baseAddress!, gp = g.baseAddress!
        for k in 0..<d { gp[k] = lambda * wp[k] }
        let s = labels.withUnsafeBufferPointer { y in
            linearModelGradient(rows: sampleCount, columns: d, x, wp, addingTo: gp) { i, z in
                let t = -y[i] * z
                let (loss, slope) = softplusAndSigmoid(t)
                return (loss, -y[i] * slope * invN)
            }
        }
        return s * invN + 0.5 * lambda * dot(d, wp, wp)
    }

    public func sampleGradient(at w: UnsafeBufferPointer<Double>, samples: UnsafeBufferPointer<Int>, into g: UnsafeMutableBufferPointer<Double>) {
        let d = dimension, x = design.base, scale = 1 / Double(samples.count)
        let wp = w.baseAddress!, gp = g.baseAddress!
        for k in 0..<d { gp[k] = lambda * wp[k] }
        labels.withUnsafeBufferPointer { y in
            for (k, i) in samples.enumerated() {
                // Random rows: request the one four samples ahead while this one is used.
                if k + 4 < samples.count { prefetch(x + samples[k + 4] * d, bytes: d * 8) }
                let row = x + i * d
                axpy(d, -y[i] * sigmoid(-y[i] * dot(d, row, wp)) * scale, row, gp)
            }
        }
    }

    /// ∂F/∂w_j = (1/n)·Σᵢ φᵢ′(zᵢ)·x_{ij} + λw_j: O(n + d) amortised under coordinate moves,
    /// from cached margins z = Xw (see `LinearPredictionCache`; first call O(nd), n·d memory).
    public func coordinateGradient(at w: UnsafeBufferPointer<Double>, coordinate j: Int) -> Double {
        let n = sampleCount
        let s = predictionCache.withPredictions(at: w, column: j) { z, column in
            labels.withUnsafeBufferPointer { y in
                var s = 0.0
                for i in 0..<n { s -= column[i] * y[i] * sigmoid(-y[i] * z[i]) }
                return s
            }
        }
        return s / Double(n) + lambda * w[j]
    }

    func solveByNewton() {
        let n = sampleCount, d = dimension
        var w = [Double](repeating: 0, count: d), trial = w
        var curvature = [Double](repeating: 0, count: n), h = [Double](repeating: 0, count: d * d)
        var (f, g) = lossAndGradient(w)
        let initialNorm = nrm2(d, g)
        let tolerance = 1e-12 * max(1, initialNorm)
        var norm = initialNorm, previousNorm = Double.infinity
        var cholesky: Cholesky? = nil
        while norm > tolerance, referenceIterations < 100 {
            referenceIterations += 1
            // Forming ∇²F costs n·d²/2; far from w* it is needed for quadratic convergence, but
            // once ‖∇F‖ is small and still falls fast, the last factor serves (linear rate
            // ‖I − H_old⁻¹H‖ ≪ 1) at the price of a gradient per iteration.
            if cholesky == nil || norm > 1e-2 * initialNorm || norm > 0.25 * previousNorm {
                hessians += 1
                w.withUnsafeBufferPointer { wp in
                    for i in 0..<n {
                        let z = dot(d, design.base + i * d, wp.baseAddress!)
                        curvature[i] = sigmoid(z) * sigmoid(-z)
                    }
                }
                curvature.withUnsafeBufferPointer { c in
                    h.withUnsafeMutableBufferPointer {
                        weightedGram(rows: n, columns: d, design.base, weights: c.baseAddress!, scale: 1 / Double(n), into: $0.baseAddress!)
                    }
                }
                for k in 0..<d { h[k * d + k] += lambda }
                cholesky = Cholesky(h, dimension: d)
                guard cholesky != nil else { break }
            }
            let step = cholesky!.solve(g.map { -$0 })
            let slope = dot(d, g, step)
            var t = 1.0
            // Below ~10⁻⁸·|F| the predicted decrease drowns in the rounding of F itself, and
            // the iterate is deep in Newton's region of quadratic convergence: take the full step.
            if -slope > 1e-8 * max(1, abs(f)) {
                for _ in 0..<40 {
                    for k in 0..<d { trial[k] = w[k] + t * step[k] }
                    if loss(trial) <= f + 1e-4 * t * slope { break }
                    t /= 2
                }
            }
            for k in 0..<d { w[k] += t * step[k] }
            (f, g) = lossAndGradient(w)
            previousNorm = norm
            norm = nrm2(d, g)
        }
        optimalValue = f
        solution = w
        referenceGradientNorm = norm
    }

    public static let entry = ProblemEntry(
        name: "logistic",
        summary: "ℓ2-regularised binary logistic regression on synthetic data, F* by a Newton reference solve",
        settings: [
            .integer("n", 1000, range: 1...1e8, "number of samples"),
            .integer("d", 20, range: 1...1e5, "number of features"),
            .real("lambda", 1e-3, range: 1e-12...1e6, "ℓ2 penalty λ (the strong-convexity modulus)"),
            .real("separation", 2, range: 0...1e6, "norm of the planted w°: margins xᵢᵀw° ~ N(0, separation²); larger is cleaner"),
            .real("flip", 0, range: 0...1, "probability of flipping each label after drawing it"),
            .real("feature_scale", 1, range: 1...1e8, "c: column j of X is scaled by c^(−j/(d−1)), so scales span c to 1"),
            .integer("data_seed", 0, range: 0...Double(Int32.max), "seed of the synthetic data"),
            .boolean("reference", true, "solve for F* by Newton at construction (false: F* unknown, faster start)"),
        ]
    ) { p in
        LogisticRegression.synthetic(
            n: p.integer("n"), d: p.integer("d"), lambda: p.real("lambda"), separation: p.real("separation"),
            flip: p.real("flip"), featureScale: p.real("feature_scale"), seed: UInt64(p.integer("data_seed")),
            solveReference: p.boolean("reference"), label: problemLabel("logistic", p))
    }

    /// The synthetic instance described on the type.
    public static func synthetic(
        n: Int, d: Int, lambda: Double, separation: Double, flip: Double = 0, featureScale c: Double = 1, seed: UInt64,
        solveReference: Bool = true, label: String = "logistic"
    ) -> LogisticRegression {
        var rng = Xoshiro256(seed: seed, stream: 3)
        let x = Matrix(rows: n, columns: d)
        for k in 0..<(n * d) { x.storage[k] = rng.nextGaussian() }
        var planted = (0..<d).map { _ in rng.nextGaussian() }
        var norm = nrm2(d, planted)
        if c != 1 {
            // The margin's standard deviation is ‖S w°‖.
            let scales = (0..<d).map { j in _pow(c, -Double(j) / Double(max(d - 1, 1))) }
            for i in 0..<n { for j in 0..<d { x.storage[i * d + j] *= scales[j] } }
            norm = (0..<d).reduce(0.0) { $0 + (scales[$1] * planted[$1]) * (scales[$1] * planted[$1]) }.squareRoot()
        }
        for k in 0..<d { planted[k] *= separation / max(norm, .leastNormalMagnitude) }
        var y = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let margin = dot(d, x.base + i * d, planted)
            var label = rng.nextUniform() < sigmoid(margin) ? 1.0 : -1.0
            if rng.nextUniform() < flip { label = -label }
            y[i] = label
        }
        return LogisticRegression(design: x, labels: y, lambda: lambda, label: label, solveReference: solveReference)
    }
}

/// σ(t) = 1/(1 + e^{−t}), never overflowing: e^{−|t|} ≤ 1.
@inline(__always)
func sigmoid(_ t: Double) -> Double {
    let e = _exp(-abs(t))
    return t >= 0 ? 1 / (1 + e) : e / (1 + e)
}

/// (log(1 + eᵗ), σ(t)) sharing one exponential, as `softplus` and `sigmoid` compute them.
@inline(__always)
func softplusAndSigmoid(_ t: Double) -> (Double, Double) {
    let e = _exp(-abs(t))
    return (max(t, 0) + _log1p(e), t >= 0 ? 1 / (1 + e) : e / (1 + e))
}

/// log(1 + eᵗ) = max(t, 0) + log1p(e^{−|t|}), exact to rounding for every t.
@inline(__always)
func softplus(_ t: Double) -> Double {
    max(t, 0) + _log1p(_exp(-abs(t)))
}

#if canImport(Glibc)
import Glibc
@usableFromInline func _exp(_ x: Double) -> Double { Glibc.exp(x) }
@usableFromInline func _log1p(_ x: Double) -> Double { Glibc.log1p(x) }
#else
import Foundation
@usableFromInline func _exp(_ x: Double) -> Double { Foundation.exp(x) }
@usableFromInline func _log1p(_ x: Double) -> Double { Foundation.log1p(x) }
#endif
