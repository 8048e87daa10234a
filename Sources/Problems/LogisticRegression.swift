import OptBenchCore
import OptBenchKernels
import OptBenchLinearAlgebra

/// Binary logistic regression with an ℓ2 penalty, in float32 or float64 (`dtype`),
///
///     F(w) = (1/n) Σᵢ log(1 + exp(−yᵢ xᵢᵀw)) + (λ/2)‖w‖²,   yᵢ ∈ {−1, +1},
///
/// a linear model fᵢ(w) = φᵢ(xᵢᵀw) + (λ/2)‖w‖² with φᵢ(z) = log(1 + e^{−yᵢz}), so
/// φᵢ′(z) = −yᵢ·σ(−yᵢz), ∇fᵢ(w) = φᵢ′(xᵢᵀw)·xᵢ + λw and ∇F(w) = (1/n)Xᵀφ′(Xw) + λw. Since
/// φᵢ″ = σ(1 − σ) ≤ ¼, F is μ-strongly convex and L-smooth with μ = λ,
/// L = λmax(XᵀX/n)/4 + λ (by Lanczos) and L_max = maxᵢ‖xᵢ‖²/4 + λ, L_j = ‖X_{:,j}‖²/(4n) + λ
/// (survey §5's convex baseline). Both log(1 + eᵗ) and σ are evaluated in forms that never
/// overflow. The coordinate partial costs O(n + d) amortised (`LinearPredictionCache`).
///
/// Synthetic data: xᵢ ~ N(0, S²), S = diag(s_j), s_j = c^{−j/(d−1)} with c = `feature_scale`
/// (1: isotropic; c spreads the Hessian's spectrum by about c²); a planted w° scaled so margins
/// xᵢᵀw° are N(0, separation²); yᵢ = +1 with probability σ(xᵢᵀw°) (the model itself), then
/// flipped with probability `flip`. Larger separation means cleaner labels and a
/// harder-conditioned optimum.
///
/// F* is found at construction, in float64 on the float64 data, by Newton's method from w = 0:
/// exact Hessian ∇²F = XᵀDX/n + λI (D = diag σ(zᵢ)σ(−zᵢ)) formed by `weightedGram`, Cholesky
/// solves and an Armijo backtracking, until ‖∇F‖₂ ≤ 10⁻¹²·max(1, ‖∇F(0)‖₂). Forming the
/// Hessian costs n·d²/2 multiply-adds, so it is refreshed only while far from w*
/// (‖∇F‖ > 10⁻²‖∇F(0)‖) or when progress slows; near w* the last factor is reused (≈ 3
/// Hessians and 10–15 cheap iterations). The gradient norm reached is reported as
/// `reference_gradient_norm`; F(w*) − F* ≤ ‖∇F(w*)‖²/(2λ) is negligible. A solve that stops
/// short of its tolerance leaves F* unknown. Above `denseReferenceLimit` features, where the two
/// d×d arrays (Hessian and factor) would pass 1 GiB, the same Newton iteration takes its step
/// from conjugate gradients instead (Hessian-free: ∇²F·v = Xᵀ(D·Xv)/n + λv, two passes over X,
/// stopped at a relative residual min(½, √(‖∇F‖/‖∇F(0)‖)), which keeps Newton's superlinear
/// rate), in O(n + d) memory beside X, to the same tolerance. `reference=false` skips the
/// solve (F* unknown) for instances too large to afford it. A float32 problem holds the data rounded and reports the
/// float64 constants.
///
/// Start (`init`): `zeros` (w₀ = 0, the default) or `gaussian`, w₀ ~ N(0, I/d) from the run seed.
public final class LogisticRegression<Scalar: KernelScalar>: Problem {
    /// The n×d feature matrix X, rows xᵢ.
    public let design: Matrix<Scalar>
    /// yᵢ ∈ {−1, +1}.
    public let labels: [Scalar]
    /// λ.
    public let lambda: Double
    /// λ in the run precision, for gradients.
    let penalty: Scalar
    public let theory: TheoryConstants
    /// The Newton reference solve, when made.
    public let reference: NewtonReference?
    /// L_j = ‖X_{:,j}‖²/(4n) + λ.
    public let coordinateLipschitz: [Double]
    public let label: String
    public let initialization: StandardInit

    init(
        design: Matrix<Scalar>, labels: [Scalar], lambda: Double, theory: TheoryConstants, reference: NewtonReference?,
        coordinateLipschitz: [Double], label: String, initialization: StandardInit
    ) {
        self.design = design
        self.labels = labels
        self.lambda = lambda
        penalty = Scalar(lambda)
        self.theory = theory
        self.reference = reference
        self.coordinateLipschitz = coordinateLipschitz
        self.label = label
        self.initialization = initialization
    }

    /// The problem on float64 data, its constants (and F*, when `solveReference`) computed in
    /// float64 before the data are rounded to this precision.
    public convenience init(
        design x: Matrix<Double>, labels y: [Double], lambda: Double, label: String = "logistic", solveReference: Bool = true,
        initialization: StandardInit = .zeros
    ) {
        precondition(x.rows == y.count, "\(y.count) labels for \(x.rows) samples")
        precondition(y.allSatisfy { $0 == 1 || $0 == -1 }, "labels must be ±1")
        let n = x.rows, d = x.columns
        let exact = LogisticRegression<Double>(
            design: x, labels: y, lambda: lambda, theory: TheoryConstants(sampleCount: n, dimension: d), reference: nil,
            coordinateLipschitz: [], label: label, initialization: initialization)
        let reference = solveReference ? (d <= denseReferenceLimit ? exact.newtonReference() : exact.newtonCGReference()) : nil
        var z = [Double](repeating: 0, count: n)
        let top = z.withUnsafeMutableBufferPointer { zp in
            Lanczos.extremeEigenvalues(dimension: d, maxSteps: 60, tolerance: 1e-6) { v, out in
                gemv(.none, n, d, 1, x.base, d, v, 0, zp.baseAddress!)
                gemv(.transposed, n, d, 1 / Double(n), x.base, d, zp.baseAddress!, 0, out)
            }
        }.largest
        let maxRow = (0..<n).reduce(0.0) { max($0, dot(d, x.base + $1 * d, x.base + $1 * d)) }
        var t = TheoryConstants(sampleCount: n, dimension: d)
        t.smoothness = finite(top / 4 + lambda)
        t.strongConvexity = lambda
        t.maxSampleSmoothness = finite(maxRow / 4 + lambda)
        if let r = reference, r.converged { t.optimalValue = finite(r.value) }
        var c = [Double](repeating: 0, count: d)
        c.withUnsafeMutableBufferPointer { x.columnSquaredNorms(into: $0) }
        self.init(
            design: x as? Matrix<Scalar> ?? Matrix(converting: x), labels: y.map { Scalar($0) }, lambda: lambda, theory: t,
            reference: reference, coordinateLipschitz: c.map { $0 / (4 * Double(n)) + lambda }, label: label,
            initialization: initialization)
    }

    public var sampleCount: Int { design.rows }
    public var dimension: Int { design.columns }
    /// The reference minimiser w*, when solved.
    public var solution: [Double]? { reference?.solution }

    /// n, d and the theory constants, then λ and the reference solve's gradient norm.
    public var properties: [(name: String, value: Double)] {
        var p = theoryProperties(theory) + [("lambda", lambda)]
        if let g = reference?.gradientNorm { p.append(("reference_gradient_norm", g)) }
        return p
    }

    public func initialPoint(seed: UInt64) -> [Scalar] {
        switch initialization {
        case .zeros: [Scalar](repeating: 0, count: dimension)
        case .gaussian: gaussianStart(dimension: dimension, seed: seed)
        }
    }

    public func loss(at w: UnsafeBufferPointer<Scalar>) -> Double {
        let d = dimension, x = design.base
        var s = 0.0
        labels.withUnsafeBufferPointer { y in
            for i in 0..<sampleCount { s += Double(softplus(-y[i] * dot(d, x + i * d, w.baseAddress!))) }
        }
        return s / Double(sampleCount) + 0.5 * lambda * Double(dot(d, w.baseAddress!, w.baseAddress!))
    }

    public func lossAndGradient(at w: UnsafeBufferPointer<Scalar>, into g: UnsafeMutableBufferPointer<Scalar>) -> Double {
        let d = dimension, x = design.base, invN = 1 / Scalar(sampleCount)
        let wp = w.baseAddress!, gp = g.baseAddress!
        for k in 0..<d { gp[k] = penalty * wp[k] }
        let s = labels.withUnsafeBufferPointer { y in
            linearModelGradient(rows: sampleCount, columns: d, x, wp, addingTo: gp) { i, z in
                let t = -y[i] * z
                let (loss, slope) = softplusAndSigmoid(t)
                return (Double(loss), -y[i] * slope * invN)
            }
        }
        return s * (1 / Double(sampleCount)) + 0.5 * lambda * Double(dot(d, wp, wp))
    }

    public func sampleGradient(at w: UnsafeBufferPointer<Scalar>, samples: UnsafeBufferPointer<Int>, into g: UnsafeMutableBufferPointer<Scalar>) {
        let d = dimension, x = design.base, scale = 1 / Scalar(samples.count)
        let wp = w.baseAddress!, gp = g.baseAddress!
        for k in 0..<d { gp[k] = penalty * wp[k] }
        labels.withUnsafeBufferPointer { y in
            for (k, i) in samples.enumerated() {
                // Random rows: request the one four samples ahead while this one is used.
                if k + 4 < samples.count { prefetch(x + samples[k + 4] * d, bytes: d * MemoryLayout<Scalar>.stride) }
                let row = x + i * d
                axpy(d, -y[i] * sigmoid(-y[i] * dot(d, row, wp)) * scale, row, gp)
            }
        }
    }

    /// φᵢ′(xᵢᵀw) = −yᵢ·σ(−yᵢ xᵢᵀw); xᵢ is row i of X; λ.
    public func linearModel() -> LinearModelView<Scalar>? {
        let d = dimension, x = design.base
        return LinearModelView(
            derivative: { [self] w, i in
                let y = labels[i]
                return -y * sigmoid(-y * dot(d, x + i * d, w.baseAddress!))
            },
            rows: UnsafePointer(x), rowLength: d,
            l2Penalty: penalty)
    }

    /// ∂F/∂w_j = (1/n)·Σᵢ φᵢ′(zᵢ)·x_{ij} + λw_j from this run's cached margins z = Xw, with L_j.
    public func coordinates() -> CoordinateView<Scalar>? { coordinateView(cache: LinearPredictionCache(design: design)) }

    func coordinateView(cache: LinearPredictionCache<Scalar>) -> CoordinateView<Scalar> {
        CoordinateView(
            partial: { [self] w, j in
                let n = sampleCount
                let s = cache.withPredictions(at: w, column: j) { z, column in
                    labels.withUnsafeBufferPointer { y in
                        var s: Scalar = 0
                        for i in 0..<n { s -= column[i] * y[i] * sigmoid(-y[i] * z[i]) }
                        return s
                    }
                }
                return s / Scalar(n) + penalty * w[j]
            },
            lipschitzConstants: coordinateLipschitz)
    }
}

/// The most features for which the reference solve forms the dense Hessian (its two d×d float64
/// arrays then take at most 1 GiB); above it the step comes from conjugate gradients. A fixed
/// bound, not the machine's memory, so that every machine computes the same F*.
public let denseReferenceLimit = 8192

extension LogisticRegression where Scalar == Double {
    /// Newton's method from w = 0 with Hessian-free conjugate-gradient steps, as the type
    /// describes; `iterations` counts Newton steps and `hessians` Hessian-vector products.
    func newtonCGReference() -> NewtonReference {
        let n = sampleCount, d = dimension, x = design.base
        var w = [Double](repeating: 0, count: d), trial = w
        var curvature = [Double](repeating: 0, count: n), z = curvature
        var p = w, r = w, q = w, hq = w
        var (f, g) = lossAndGradient(w)
        let initialNorm = nrm2(d, g)
        let tolerance = 1e-12 * max(1, initialNorm)
        var norm = initialNorm
        var iterations = 0, products = 0
        while norm > tolerance, iterations < 100 {
            iterations += 1
            w.withUnsafeBufferPointer { wp in
                for i in 0..<n {
                    let m = dot(d, x + i * d, wp.baseAddress!)
                    curvature[i] = sigmoid(m) * sigmoid(-m) / Double(n)
                }
            }
            // CG on ∇²F·p = −∇F from p = 0.
            for k in 0..<d { p[k] = 0; r[k] = -g[k]; q[k] = r[k] }
            var rr = dot(d, r, r)
            let stop = min(0.5, (norm / initialNorm).squareRoot()) * norm
            for _ in 0..<(2 * d + 100) {
                q.withUnsafeBufferPointer { qp in
                    z.withUnsafeMutableBufferPointer { zp in
                        gemv(.none, n, d, 1, x, d, qp.baseAddress!, 0, zp.baseAddress!)
                        for i in 0..<n { zp[i] *= curvature[i] }
                        hq.withUnsafeMutableBufferPointer { hp in gemv(.transposed, n, d, 1, x, d, zp.baseAddress!, 0, hp.baseAddress!) }
                    }
                }
                products += 1
                for k in 0..<d { hq[k] += lambda * q[k] }
                let curvatureAlong = dot(d, q, hq)
                guard curvatureAlong > 0 else { break }
                let alpha = rr / curvatureAlong
                for k in 0..<d {
                    p[k] += alpha * q[k]
                    r[k] -= alpha * hq[k]
                }
                let next = dot(d, r, r)
                if next.squareRoot() <= stop { break }
                let beta = next / rr
                rr = next
                for k in 0..<d { q[k] = r[k] + beta * q[k] }
            }
            let slope = dot(d, g, p)
            guard slope < 0 else { break }
            var t = 1.0
            if -slope > 1e-8 * max(1, abs(f)) {
                for _ in 0..<40 {
                    for k in 0..<d { trial[k] = w[k] + t * p[k] }
                    if loss(trial) <= f + 1e-4 * t * slope { break }
                    t /= 2
                }
            }
            for k in 0..<d { w[k] += t * p[k] }
            (f, g) = lossAndGradient(w)
            norm = nrm2(d, g)
        }
        return NewtonReference(
            solution: w, value: f, gradientNorm: norm, converged: norm <= tolerance, iterations: iterations, hessians: products)
    }

    /// Newton's method from w = 0, as the type describes.
    func newtonReference() -> NewtonReference {
        let n = sampleCount, d = dimension
        var w = [Double](repeating: 0, count: d), trial = w
        var curvature = [Double](repeating: 0, count: n), h = [Double](repeating: 0, count: d * d)
        var (f, g) = lossAndGradient(w)
        let initialNorm = nrm2(d, g)
        let tolerance = 1e-12 * max(1, initialNorm)
        var norm = initialNorm, previousNorm = Double.infinity
        var cholesky: Cholesky? = nil
        var iterations = 0, hessians = 0
        while norm > tolerance, iterations < 100 {
            iterations += 1
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
                // The last factor is released before the next is formed: one d×d factor at a time.
                cholesky = nil
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
        return NewtonReference(
            solution: w, value: f, gradientNorm: norm, converged: norm <= tolerance, iterations: iterations, hessians: hessians)
    }

    /// The synthetic instance described on the type, in `Target`'s precision.
    public static func synthetic<Target: KernelScalar>(
        n: Int, d: Int, lambda: Double, separation: Double, flip: Double = 0, featureScale c: Double = 1, seed: UInt64,
        solveReference: Bool = true, label: String = "logistic", initialization: StandardInit = .zeros, as _: Target.Type = Double.self
    ) -> LogisticRegression<Target> {
        var rng = Xoshiro256(seed: seed, stream: 3)
        let x = Matrix<Double>(rows: n, columns: d)
        for k in 0..<(n * d) { x.storage[k] = rng.nextGaussian() }
        var planted = (0..<d).map { _ in rng.nextGaussian() }
        var norm = nrm2(d, planted)
        if c != 1 {
            // The margin's standard deviation is ‖S w°‖.
            let scales = (0..<d).map { j in Math.pow(c, -Double(j) / Double(max(d - 1, 1))) }
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
        return LogisticRegression<Target>(
            design: x, labels: y, lambda: lambda, label: label, solveReference: solveReference, initialization: initialization)
    }

    // The entry builds either precision; it lives on the float64 type so that
    // `LogisticRegression.entry` names it without a type argument.
    public static var entry: ProblemEntry {
        ProblemEntry(
            name: "logistic",
            summary: "ℓ2-regularised binary logistic regression on synthetic data, F* by a Newton reference solve",
            settings: LogisticSettings.self, memory: { s in try s.memory() }
        ) { s, label in
            try checkSize("logistic", "n=\(s.n) d=\(s.d)", entries: (s.n, s.d))
            func make<Target: KernelScalar>(_ type: Target.Type) -> LogisticRegression<Target> {
                synthetic(
                    n: s.n, d: s.d, lambda: s.lambda, separation: s.separation, flip: s.flip, featureScale: s.featureScale,
                    seed: UInt64(s.dataSeed), solveReference: s.reference, label: label, initialization: s.initialization, as: type)
            }
            switch s.precision.dtype {
            case .float32: return ProblemInstance(make(Float.self))
            case .float64: return ProblemInstance(make(Double.self))
            }
        }
    }
}

/// The settings of `logistic`.
public struct LogisticSettings: ParameterSet {
    @Setting("n", range: 1...1e8, "number of samples")
    public var n = 1000
    @Setting("d", range: 1...1e5, "number of features")
    public var d = 20
    @Setting("lambda", range: 1e-12...1e6, "ℓ2 penalty λ (the strong-convexity modulus)")
    public var lambda = 1e-3
    @Setting("separation", range: 0...1e6, "norm of the planted w°: margins xᵢᵀw° ~ N(0, separation²); larger is cleaner")
    public var separation = 2.0
    @Setting("flip", range: 0...1, "probability of flipping each label after drawing it")
    public var flip = 0.0
    @Setting("feature_scale", range: 1...1e8, "c: column j of X is scaled by c^(−j/(d−1)), so scales span c to 1")
    public var featureScale = 1.0
    @Setting("data_seed", range: 0...Double(Int32.max), "seed of the synthetic data")
    public var dataSeed = 0
    @Setting("reference", "solve for F* by Newton at construction (false: F* unknown, faster start)")
    public var reference = true
    @Setting("init", "start: w₀ = 0, or w₀ ~ N(0, I/d) from the run seed")
    public var initialization = StandardInit.zeros
    public var precision = PrecisionSetting()
    public init() {}
}

extension LogisticSettings {
    /// What an instance takes: X (n×d) and y in float64, the reference solve (the dense
    /// Hessian and its factor, 2·d² values, or CG's few vectors of d and n), Lanczos' 60
    /// vectors for L, then X and y in the run precision. A run adds the parameters and, for
    /// coordinate methods, a column-major copy of X.
    func memory() throws(ConfigurationError) -> MemoryEstimate {
        try checkSize("logistic", "n=\(n) d=\(d)", entries: (n, d))
        let scalar = precision.dtype.bytes
        let dense = d <= denseReferenceLimit
        let solve = !reference ? Bytes() : dense ? Bytes.values(2 * d, d, of: 8) + Bytes.values(8 * d + n, of: 8) : Bytes.values(10 * d + 2 * n, of: 8)
        let data = Bytes.values(n, d, of: 8) + Bytes.values(n + 3 * d, of: 8)
        let resident = Bytes.values(n, d, of: scalar) + Bytes.values(n, of: scalar) + Bytes.values(3 * d, of: 8)
        let construction = data + solve + Bytes.values(60 * d + n, of: 8) + (scalar == 8 ? Bytes() : resident)
        let note = reference && !dense
            ? "F* by Newton-CG: the dense Hessian of d=\(d) would take \(MemoryEstimate.format(Bytes.values(2 * d, d, of: 8).value))" : nil
        return estimate(construction: construction, resident: resident, parameters: d, scalar: scalar,
                        scratch: Bytes.values(n, d, of: scalar) + Bytes.values(n + d, of: scalar), note: note)
    }
}

/// The outcome of logistic regression's Newton reference solve on the float64 data.
public struct NewtonReference: Sendable {
    /// The reference minimiser w*.
    public let solution: [Double]
    /// F(w*).
    public let value: Double
    /// ‖∇F(w*)‖₂.
    public let gradientNorm: Double
    /// Whether ‖∇F(w*)‖₂ reached the tolerance; F* is known only then.
    public let converged: Bool
    /// Newton iterations taken, and Hessians formed (Hessian-vector products for Newton-CG).
    public let iterations: Int
    public let hessians: Int
}

/// σ(t) = 1/(1 + e^{−t}), never overflowing: e^{−|t|} ≤ 1.
@inline(__always)
func sigmoid<T: KernelScalar>(_ t: T) -> T {
    let e = Math.exp(-abs(t))
    return t >= 0 ? 1 / (1 + e) : e / (1 + e)
}

/// (log(1 + eᵗ), σ(t)) sharing one exponential, as `softplus` and `sigmoid` compute them.
@inline(__always)
func softplusAndSigmoid<T: KernelScalar>(_ t: T) -> (T, T) {
    let e = Math.exp(-abs(t))
    return (max(t, 0) + Math.log1p(e), t >= 0 ? 1 / (1 + e) : e / (1 + e))
}

/// log(1 + eᵗ) = max(t, 0) + log1p(e^{−|t|}), exact to rounding for every t.
@inline(__always)
func softplus<T: KernelScalar>(_ t: T) -> T {
    max(t, 0) + Math.log1p(Math.exp(-abs(t)))
}
