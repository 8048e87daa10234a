import Kernels

/// Batch normalisation (Ioffe and Szegedy, 2015) per channel c of an input of shape [C] or
/// [C, H, W]: over the N = B·H·W values of channel c in the batch,
/// μ_c = mean, σ²_c = biased variance, x̂ = (x − μ_c)/√(σ²_c + ε), y = γ_c x̂ + β_c.
/// In training the running averages move as torch's do: m ← (1 − 0.1)m + 0.1μ_c and
/// v ← (1 − 0.1)v + 0.1·σ²_c·N/(N − 1) (unbiased); evaluation normalises by (m, v) instead.
/// Backward in batch mode: ∂f/∂x = (γ/σ)(g − mean(g) − x̂·mean(g x̂)) with g = ∂f/∂y per channel;
/// in evaluation mode the layer is affine, ∂f/∂x = (γ/√(v + ε))·g. ε = 10⁻⁵.
final class BatchNorm<Scalar: KernelScalar>: Layer {
    static var epsilon: Double { 1e-5 }
    static var momentum: Double { 0.1 }
    let inputShape: [Int]
    var outputShape: [Int] { inputShape }
    let channels: Int
    let spatial: Int
    let scaleOffset: Int
    let shiftOffset: Int
    /// Per-run running averages (m, v), starting at (0, 1).
    private(set) var runningMean: [Double]
    private(set) var runningVariance: [Double]
    private var mean: [Double]
    private var inverseDeviation: [Double]
    private let normalized = Scratch<Scalar>()

    init(shape: [Int], name: String, layout: LayoutBuilder) {
        inputShape = shape
        channels = shape[0]
        spatial = shape.dropFirst().reduce(1, *)
        scaleOffset = layout.add("\(name).weight", [channels], .normScale)
        shiftOffset = layout.add("\(name).bias", [channels], .normShift)
        runningMean = Array(repeating: 0, count: channels)
        runningVariance = Array(repeating: 1, count: channels)
        mean = Array(repeating: 0, count: channels)
        inverseDeviation = Array(repeating: 1, count: channels)
    }

    func reserve(batch: Int) { normalized.reserve(batch * channels * spatial) }

    func forward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int, mode: NetworkMode) {
        let size = channels * spatial, xhat = normalized.pointer
        let eps = Self.epsilon
        for c in 0..<channels {
            var mu: Double, inv: Double
            if mode.usesBatchStatistics {
                var s = 0.0
                for b in 0..<batch { let p = x + b * size + c * spatial; for k in 0..<spatial { s += Double(p[k]) } }
                let count = Double(batch * spatial)
                mu = s / count
                var q = 0.0
                for b in 0..<batch { let p = x + b * size + c * spatial; for k in 0..<spatial { let d = Double(p[k]) - mu; q += d * d } }
                let variance = q / count
                inv = 1 / (variance + eps).squareRoot()
                if mode == .training {
                    let m = Self.momentum
                    runningMean[c] = (1 - m) * runningMean[c] + m * mu
                    runningVariance[c] = (1 - m) * runningVariance[c] + m * (count > 1 ? q / (count - 1) : variance)
                }
            } else {
                mu = runningMean[c]
                inv = 1 / (runningVariance[c] + eps).squareRoot()
            }
            mean[c] = mu
            inverseDeviation[c] = inv
            let gamma = w[scaleOffset + c], beta = w[shiftOffset + c]
            let m = Scalar(mu), s = Scalar(inv)
            for b in 0..<batch {
                let p = x + b * size + c * spatial, q = y + b * size + c * spatial, h = xhat + b * size + c * spatial
                for k in 0..<spatial {
                    let v = (p[k] - m) * s
                    h[k] = v
                    q[k] = gamma * v + beta
                }
            }
        }
    }

    func backward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafePointer<Scalar>, _ dy: UnsafePointer<Scalar>,
                  _ dx: UnsafeMutablePointer<Scalar>?, _ dw: UnsafeMutablePointer<Scalar>, batch: Int, mode: NetworkMode) {
        let size = channels * spatial, xhat = normalized.pointer
        let count = Double(batch * spatial)
        for c in 0..<channels {
            var sumG = 0.0, sumGX = 0.0
            for b in 0..<batch {
                let g = dy + b * size + c * spatial, h = xhat + b * size + c * spatial
                for k in 0..<spatial { sumG += Double(g[k]); sumGX += Double(g[k]) * Double(h[k]) }
            }
            dw[scaleOffset + c] = Scalar(sumGX)
            dw[shiftOffset + c] = Scalar(sumG)
            guard let dx else { continue }
            let scale = Scalar(Double(w[scaleOffset + c]) * inverseDeviation[c])
            if mode.usesBatchStatistics {
                let meanG = Scalar(sumG / count), meanGX = Scalar(sumGX / count)
                for b in 0..<batch {
                    let g = dy + b * size + c * spatial, h = xhat + b * size + c * spatial, d = dx + b * size + c * spatial
                    for k in 0..<spatial { d[k] = scale * (g[k] - meanG - h[k] * meanGX) }
                }
            } else {
                for b in 0..<batch {
                    let g = dy + b * size + c * spatial, d = dx + b * size + c * spatial
                    for k in 0..<spatial { d[k] = scale * g[k] }
                }
            }
        }
    }
}
