import OptBenchKernels

/// Layer normalisation (Ba, Kiros and Hinton, 2016) over all F features of each sample, as
/// torch's `nn.LayerNorm(normalized_shape)` with an elementwise affine: per sample
/// μ = mean(x), σ² = biased variance, x̂ = (x − μ)/√(σ² + ε), y = γ ⊙ x̂ + β (γ, β ∈ ℝ^F).
/// Backward, with h = γ ⊙ ∂f/∂y: ∂f/∂x = (1/σ)(h − mean(h) − x̂·mean(h ⊙ x̂)), ∂f/∂γ = Σ_b ∂f/∂y ⊙ x̂,
/// ∂f/∂β = Σ_b ∂f/∂y. The same in every mode: it has no running statistics. ε = 10⁻⁵.
final class LayerNorm<Scalar: KernelScalar>: Layer {
    let inputShape: [Int]
    var outputShape: [Int] { inputShape }
    let features: Int
    let scaleOffset: Int
    let shiftOffset: Int
    private let normalized = Scratch<Scalar>()
    private let inverseDeviation = Scratch<Scalar>()

    init(shape: [Int], name: String, layout: LayoutBuilder) {
        inputShape = shape
        features = shape.reduce(1, *)
        scaleOffset = layout.add("\(name).weight", shape, .normScale)
        shiftOffset = layout.add("\(name).bias", shape, .normShift)
    }

    func reserve(batch: Int) {
        normalized.reserve(batch * features)
        inverseDeviation.reserve(batch)
    }

    func forward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int, mode: NetworkMode) {
        let n = Double(features)
        for b in 0..<batch {
            let p = x + b * features, q = y + b * features, h = normalized.pointer + b * features
            var s = 0.0
            for k in 0..<features { s += Double(p[k]) }
            let mu = s / n
            var v = 0.0
            for k in 0..<features { let d = Double(p[k]) - mu; v += d * d }
            let inv = 1 / (v / n + BatchNorm<Scalar>.epsilon).squareRoot()
            inverseDeviation.pointer[b] = Scalar(inv)
            let m = Scalar(mu), sc = Scalar(inv)
            for k in 0..<features {
                let xh = (p[k] - m) * sc
                h[k] = xh
                q[k] = w[scaleOffset + k] * xh + w[shiftOffset + k]
            }
        }
    }

    func backward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafePointer<Scalar>, _ dy: UnsafePointer<Scalar>,
                  _ dx: UnsafeMutablePointer<Scalar>?, _ dw: UnsafeMutablePointer<Scalar>, batch: Int, mode: NetworkMode) {
        let dgamma = dw + scaleOffset, dbeta = dw + shiftOffset
        dgamma.update(repeating: 0, count: features)
        dbeta.update(repeating: 0, count: features)
        let n = Double(features)
        for b in 0..<batch {
            let g = dy + b * features, h = normalized.pointer + b * features
            for k in 0..<features { dgamma[k] += g[k] * h[k]; dbeta[k] += g[k] }
            guard let dx else { continue }
            var sumH = 0.0, sumHX = 0.0
            for k in 0..<features {
                let hk = Double(w[scaleOffset + k] * g[k])
                sumH += hk
                sumHX += hk * Double(h[k])
            }
            let meanH = Scalar(sumH / n), meanHX = Scalar(sumHX / n), inv = inverseDeviation.pointer[b]
            let d = dx + b * features
            for k in 0..<features { d[k] = inv * (w[scaleOffset + k] * g[k] - meanH - h[k] * meanHX) }
        }
    }
}
