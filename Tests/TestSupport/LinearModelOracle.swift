import Core
import Kernels

/// Ridge least squares on a fixed design, F(w) = (1/n) Σᵢ fᵢ(w) with
/// fᵢ(w) = ½(xᵢᵀw − yᵢ)² + (λ/2)‖w‖², as a charging oracle that can offer `.linearSamples`
/// (φᵢ′(z) = z − yᵢ) or hide it, so that both paths of a variance-reduced method run on the
/// same problem. Charges as the harness does: full 1, batch |B|/n, coordinate 1/d, sample
/// derivative 1/n; feature rows are free.
public final class LinearModelOracle: GradientOracle {
    public let design: Matrix
    public let targets: [Double]
    public let dimension: Int
    public let sampleCount: Int
    public let capabilities: OracleCapabilities
    public let l2Penalty: Double
    public private(set) var epochs = 0.0
    public private(set) var sampleDerivativeCalls = 0
    public private(set) var sampleGradientCalls = 0

    /// `rows` is X row-major (n·d entries).
    public init(rows: [Double], targets: [Double], l2Penalty: Double = 0, linear: Bool = true) {
        sampleCount = targets.count
        dimension = rows.count / targets.count
        precondition(dimension * sampleCount == rows.count)
        design = Matrix(rows: sampleCount, columns: dimension, rows)
        self.targets = targets
        self.l2Penalty = l2Penalty
        capabilities = linear ? [.fullGradient, .sampleGradients, .coordinates, .linearSamples]
                              : [.fullGradient, .sampleGradients, .coordinates]
    }

    /// A random well-posed instance: Gaussian X and y from seed.
    public static func random(n: Int, d: Int, l2Penalty: Double = 0, linear: Bool = true, seed: UInt64 = 7) -> LinearModelOracle {
        var rng = Xoshiro256(seed: seed)
        let x = (0..<(n * d)).map { _ in rng.nextGaussian() }
        let y = (0..<n).map { _ in rng.nextGaussian() }
        return LinearModelOracle(rows: x, targets: y, l2Penalty: l2Penalty, linear: linear)
    }

    func residual(_ i: Int, _ w: UnsafePointer<Double>) -> Double {
        dot(dimension, design.base + i * dimension, w) - targets[i]
    }

    public func loss(at w: UnsafeBufferPointer<Double>) -> Double {
        epochs += 1
        return uncharged(w)
    }

    /// F(w) without charging, for checking results.
    public func uncharged(_ w: UnsafeBufferPointer<Double>) -> Double {
        var s = 0.0
        for i in 0..<sampleCount {
            let r = residual(i, w.baseAddress!)
            s += r * r
        }
        return 0.5 * s / Double(sampleCount) + 0.5 * l2Penalty * dot(dimension, w.baseAddress!, w.baseAddress!)
    }

    public func lossAndGradient(at w: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) -> Double {
        epochs += 1
        let n = Double(sampleCount)
        for j in 0..<dimension { g[j] = l2Penalty * w[j] }
        var s = 0.0
        for i in 0..<sampleCount {
            let r = residual(i, w.baseAddress!)
            s += r * r
            axpy(dimension, r / n, design.base + i * dimension, g.baseAddress!)
        }
        return 0.5 * s / n + 0.5 * l2Penalty * dot(dimension, w.baseAddress!, w.baseAddress!)
    }

    public func sampleGradient(at w: UnsafeBufferPointer<Double>, samples: UnsafeBufferPointer<Int>, into g: UnsafeMutableBufferPointer<Double>) {
        epochs += Double(samples.count) / Double(sampleCount)
        sampleGradientCalls += samples.count
        for j in 0..<dimension { g[j] = l2Penalty * w[j] }
        let scale = 1 / Double(samples.count)
        for i in samples {
            axpy(dimension, residual(i, w.baseAddress!) * scale, design.base + i * dimension, g.baseAddress!)
        }
    }

    public func coordinateGradient(at w: UnsafeBufferPointer<Double>, coordinate j: Int) -> Double {
        epochs += 1 / Double(dimension)
        var s = 0.0
        for i in 0..<sampleCount { s += residual(i, w.baseAddress!) * design[i, j] }
        return s / Double(sampleCount) + l2Penalty * w[j]
    }

    public func sampleDerivative(at w: UnsafeBufferPointer<Double>, sample i: Int) -> Double {
        precondition(capabilities.contains(.linearSamples), "linear-sample path used on an oracle that hides it")
        epochs += 1 / Double(sampleCount)
        sampleDerivativeCalls += 1
        return residual(i, w.baseAddress!)
    }

    public func features(ofSample i: Int) -> UnsafeBufferPointer<Double> {
        precondition(capabilities.contains(.linearSamples), "linear-sample path used on an oracle that hides it")
        return UnsafeBufferPointer(design.row(i))
    }

    /// L_j = ‖X_{:j}‖²/n + λ.
    public func coordinateLipschitzConstants(into constants: UnsafeMutableBufferPointer<Double>) -> Bool {
        for j in 0..<dimension {
            var s = 0.0
            for i in 0..<sampleCount { s += design[i, j] * design[i, j] }
            constants[j] = s / Double(sampleCount) + l2Penalty
        }
        return true
    }

    /// The minimiser, by Cholesky on (XᵀX/n + λI) w = Xᵀy/n (small d only).
    public func minimizer() -> [Double] {
        let d = dimension, n = Double(sampleCount)
        var a = [Double](repeating: 0, count: d * d), b = [Double](repeating: 0, count: d)
        for i in 0..<sampleCount {
            for j in 0..<d {
                b[j] += design[i, j] * targets[i] / n
                for k in 0..<d { a[j * d + k] += design[i, j] * design[i, k] / n }
            }
        }
        for j in 0..<d { a[j * d + j] += l2Penalty }
        for j in 0..<d {
            for k in 0..<j { a[j * d + j] -= a[j * d + k] * a[j * d + k] }
            a[j * d + j] = a[j * d + j].squareRoot()
            for i in (j + 1)..<max(j + 1, d) {
                for k in 0..<j { a[i * d + j] -= a[i * d + k] * a[j * d + k] }
                a[i * d + j] /= a[j * d + j]
            }
        }
        var z = b
        for i in 0..<d {
            for k in 0..<i { z[i] -= a[i * d + k] * z[k] }
            z[i] /= a[i * d + i]
        }
        for i in stride(from: d - 1, through: 0, by: -1) {
            for k in (i + 1)..<max(i + 1, d) { z[i] -= a[k * d + i] * z[k] }
            z[i] /= a[i * d + i]
        }
        return z
    }
}
