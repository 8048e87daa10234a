import OptBenchCore
import OptBenchKernels

/// Ridge least squares on a fixed design, F(w) = (1/n) Σᵢ fᵢ(w) with
/// fᵢ(w) = ½(xᵢᵀw − yᵢ)² + (λ/2)‖w‖², in either precision, offering a linear-model view
/// (φᵢ′(z) = z − yᵢ) or hiding it, so that both paths of a variance-reduced method run on the
/// same problem; and a coordinate view with L_j = ‖X_{:j}‖²/n + λ. Counts what it is asked for.
public final class TestLeastSquares<Scalar: KernelScalar>: Objective {
    public let dimension: Int
    public let sampleCount: Int
    /// X row-major, at a fixed address for the feature rows the view hands out.
    let design: UnsafeMutableBufferPointer<Scalar>
    let data: [Double]
    public let targets: [Scalar]
    let targetData: [Double]
    public let l2Penalty: Scalar
    let lambda: Double
    let offersLinearModel: Bool
    public private(set) var derivativeCalls = 0
    public private(set) var sampleGradientCalls = 0

    /// `rows` is X row-major (n·d entries).
    public init(rows: [Double], targets: [Double], l2Penalty: Double = 0, linear: Bool = true) {
        sampleCount = targets.count
        dimension = rows.count / targets.count
        precondition(dimension * sampleCount == rows.count)
        design = .allocate(capacity: rows.count)
        _ = design.initialize(from: rows.map { Scalar($0) })
        data = rows
        self.targets = targets.map { Scalar($0) }
        targetData = targets
        self.l2Penalty = Scalar(l2Penalty)
        lambda = l2Penalty
        offersLinearModel = linear
    }

    deinit { design.deallocate() }

    /// A random well-posed instance: Gaussian X and y from `seed` (the same data in both precisions).
    public static func random(n: Int, d: Int, l2Penalty: Double = 0, linear: Bool = true, seed: UInt64 = 7) -> TestLeastSquares {
        var rng = Xoshiro256(seed: seed)
        let x = (0..<(n * d)).map { _ in rng.nextGaussian() }
        let y = (0..<n).map { _ in rng.nextGaussian() }
        return TestLeastSquares(rows: x, targets: y, l2Penalty: l2Penalty, linear: linear)
    }

    func row(_ i: Int) -> UnsafePointer<Scalar> { UnsafePointer(design.baseAddress! + i * dimension) }

    func residual(_ i: Int, _ w: UnsafePointer<Scalar>) -> Scalar {
        dot(dimension, row(i), w) - targets[i]
    }

    public func loss(at w: UnsafeBufferPointer<Scalar>) -> Double {
        var s = 0.0
        for i in 0..<sampleCount {
            let r = Double(residual(i, w.baseAddress!))
            s += r * r
        }
        return 0.5 * s / Double(sampleCount) + 0.5 * lambda * Double(dot(dimension, w.baseAddress!, w.baseAddress!))
    }

    public func lossAndGradient(at w: UnsafeBufferPointer<Scalar>, into g: UnsafeMutableBufferPointer<Scalar>) -> Double {
        let n = Scalar(sampleCount)
        for j in 0..<dimension { g[j] = l2Penalty * w[j] }
        for i in 0..<sampleCount { axpy(dimension, residual(i, w.baseAddress!) / n, row(i), g.baseAddress!) }
        return loss(at: w)
    }

    public func sampleGradient(at w: UnsafeBufferPointer<Scalar>, samples: UnsafeBufferPointer<Int>, into g: UnsafeMutableBufferPointer<Scalar>) {
        sampleGradientCalls += samples.count
        for j in 0..<dimension { g[j] = l2Penalty * w[j] }
        let scale = 1 / Scalar(samples.count)
        for i in samples { axpy(dimension, residual(i, w.baseAddress!) * scale, row(i), g.baseAddress!) }
    }

    public func linearModel() -> LinearModelView<Scalar>? {
        guard offersLinearModel else { return nil }
        return LinearModelView(
            derivative: { [unowned self] w, i in
                self.derivativeCalls += 1
                return self.residual(i, w.baseAddress!)
            },
            features: { [unowned self] i in UnsafeBufferPointer(start: self.row(i), count: self.dimension) },
            l2Penalty: l2Penalty)
    }

    public func coordinates() -> CoordinateView<Scalar>? {
        CoordinateView(
            partial: { [unowned self] w, j in
                var s: Scalar = 0
                for i in 0..<self.sampleCount { s += self.residual(i, w.baseAddress!) * self.design[i * self.dimension + j] }
                return s / Scalar(self.sampleCount) + self.l2Penalty * w[j]
            },
            lipschitzConstants: (0..<dimension).map { j in
                (0..<sampleCount).reduce(0.0) { $0 + data[$1 * dimension + j] * data[$1 * dimension + j] } / Double(sampleCount) + lambda
            })
    }

    /// The minimiser in Double, by Gaussian elimination on (XᵀX/n + λI) w = Xᵀy/n (small d only).
    public func minimizer() -> [Double] {
        let d = dimension, n = Double(sampleCount)
        var a = [Double](repeating: 0, count: d * d), b = [Double](repeating: 0, count: d)
        for i in 0..<sampleCount {
            for j in 0..<d {
                b[j] += data[i * d + j] * targetData[i] / n
                for k in 0..<d { a[j * d + k] += data[i * d + j] * data[i * d + k] / n }
            }
        }
        for j in 0..<d { a[j * d + j] += lambda }
        return gaussianEliminationSolve(a, b)
    }

    /// F* = F(minimizer()), evaluated in this precision.
    public func optimalValue() -> Double { loss(minimizer().map { Scalar($0) }) }
}
