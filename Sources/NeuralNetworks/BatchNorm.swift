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
    /// The batch's μ_c and σ²_c of the last forward pass, and the 1/√(σ² + ε) it normalised by.
    private let mean: UnsafeMutablePointer<Double>
    private let variance: UnsafeMutablePointer<Double>
    private let inverseDeviation: UnsafeMutablePointer<Double>
    private let normalized = Scratch<Scalar>()

    init(shape: [Int], name: String, layout: LayoutBuilder) {
        inputShape = shape
        channels = shape[0]
        spatial = shape.dropFirst().reduce(1, *)
        scaleOffset = layout.add("\(name).weight", [channels], .normScale)
        shiftOffset = layout.add("\(name).bias", [channels], .normShift)
        runningMean = Array(repeating: 0, count: channels)
        runningVariance = Array(repeating: 1, count: channels)
        mean = .allocate(capacity: channels)
        variance = .allocate(capacity: channels)
        inverseDeviation = .allocate(capacity: channels)
        mean.initialize(repeating: 0, count: channels)
        variance.initialize(repeating: 1, count: channels)
        inverseDeviation.initialize(repeating: 1, count: channels)
    }

    deinit {
        mean.deallocate()
        variance.deallocate()
        inverseDeviation.deallocate()
    }

    func reserve(batch: Int) { normalized.reserve(batch * channels * spatial) }

    /// Runs body(c) for every channel, on all cores when the batch is large enough to pay for
    /// the hand-off; channels are independent, so the result ignores the thread count.
    private func forEachChannel(_ batch: Int, _ body: (Int) -> Void) {
        let parts = batch * channels * spatial >= 1 << 15 ? min(availableThreads, channels) : 1
        parallelFor(parts) { part in
            for c in (channels * part / parts)..<(channels * (part + 1) / parts) { body(c) }
        }
    }

    func forward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int, mode: NetworkMode) {
        let size = channels * spatial, xhat = normalized.pointer, n = spatial
        let eps = Self.epsilon, count = Double(batch * spatial)
        let batchStatistics = mode.usesBatchStatistics
        forEachChannel(batch) { c in
            var mu: Double, inv: Double
            if batchStatistics {
                var s = 0.0
                for b in 0..<batch { s += Double(rowSum(n, x + b * size + c * spatial)) }
                mu = s / count
                var q = 0.0
                for b in 0..<batch { q += Double(rowSquaredDeviation(n, x + b * size + c * spatial, Scalar(mu))) }
                variance[c] = q / count
                inv = 1 / (q / count + eps).squareRoot()
            } else {
                mu = runningMean[c]
                inv = 1 / (runningVariance[c] + eps).squareRoot()
            }
            mean[c] = mu
            inverseDeviation[c] = inv
            let gamma = w[scaleOffset + c], beta = w[shiftOffset + c]
            for b in 0..<batch {
                let o = b * size + c * spatial
                normalizeRow(n, x + o, Scalar(mu), Scalar(inv), gamma, beta, xhat + o, y + o)
            }
        }
        if mode == .training {
            let m = Self.momentum
            for c in 0..<channels {
                runningMean[c] = (1 - m) * runningMean[c] + m * mean[c]
                runningVariance[c] = (1 - m) * runningVariance[c] + m * (count > 1 ? variance[c] * count / (count - 1) : variance[c])
            }
        }
    }

    func backward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafePointer<Scalar>, _ dy: UnsafePointer<Scalar>,
                  _ dx: UnsafeMutablePointer<Scalar>?, _ dw: UnsafeMutablePointer<Scalar>, batch: Int, mode: NetworkMode) {
        let size = channels * spatial, xhat = normalized.pointer, n = spatial
        let count = Double(batch * spatial)
        forEachChannel(batch) { c in
            var sumG = 0.0, sumGX = 0.0
            for b in 0..<batch {
                let o = b * size + c * spatial
                let (g, gx) = rowSums(n, dy + o, xhat + o)
                sumG += Double(g)
                sumGX += Double(gx)
            }
            dw[scaleOffset + c] = Scalar(sumGX)
            dw[shiftOffset + c] = Scalar(sumG)
            guard let dx else { return }
            let scale = Scalar(Double(w[scaleOffset + c]) * inverseDeviation[c])
            let meanG = mode.usesBatchStatistics ? Scalar(sumG / count) : 0, meanGX = mode.usesBatchStatistics ? Scalar(sumGX / count) : 0
            for b in 0..<batch {
                let o = b * size + c * spatial
                normalizeGradientRow(n, dy + o, xhat + o, scale, meanG, meanGX, dx + o)
            }
        }
    }
}

// Row kernels over the n positions of one sample's channel, on full vectors with a scalar tail
// (fixed order: the result depends on the data alone).

/// Σ x.
@inline(__always)
private func rowSum<T: KernelScalar>(_ n: Int, _ x: UnsafePointer<T>) -> T {
    let w = T.lanes
    var s0 = T.Vector(), s1 = T.Vector(), i = 0
    while i + 2 * w <= n {
        s0 += load(x + i)
        s1 += load(x + i + w)
        i += 2 * w
    }
    if i + w <= n { s0 += load(x + i); i += w }
    var s = (s0 + s1).sum()
    while i < n { s += x[i]; i += 1 }
    return s
}

/// Σ (x − m)².
@inline(__always)
private func rowSquaredDeviation<T: KernelScalar>(_ n: Int, _ x: UnsafePointer<T>, _ m: T) -> T {
    let w = T.lanes, mv = T.Vector(repeating: m)
    var s0 = T.Vector(), s1 = T.Vector(), i = 0
    while i + 2 * w <= n {
        let d0 = load(x + i) - mv, d1 = load(x + i + w) - mv
        s0 = s0.addingProduct(d0, d0)
        s1 = s1.addingProduct(d1, d1)
        i += 2 * w
    }
    if i + w <= n { let d = load(x + i) - mv; s0 = s0.addingProduct(d, d); i += w }
    var s = (s0 + s1).sum()
    while i < n { let d = x[i] - m; s = s.addingProduct(d, d); i += 1 }
    return s
}

/// x̂ = (x − m)·s and y = γ x̂ + β.
@inline(__always)
private func normalizeRow<T: KernelScalar>(_ n: Int, _ x: UnsafePointer<T>, _ m: T, _ s: T, _ gamma: T, _ beta: T,
                                           _ xhat: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>) {
    let w = T.lanes, mv = T.Vector(repeating: m), sv = T.Vector(repeating: s)
    let gv = T.Vector(repeating: gamma), bv = T.Vector(repeating: beta)
    var i = 0
    while i + w <= n {
        let h = (load(x + i) - mv) * sv
        store(h, xhat + i)
        store(bv.addingProduct(gv, h), y + i)
        i += w
    }
    while i < n {
        let h = (x[i] - m) * s
        xhat[i] = h
        y[i] = gamma * h + beta
        i += 1
    }
}

/// (Σ g, Σ g·x̂).
@inline(__always)
private func rowSums<T: KernelScalar>(_ n: Int, _ g: UnsafePointer<T>, _ xhat: UnsafePointer<T>) -> (T, T) {
    let w = T.lanes
    var s = T.Vector(), q = T.Vector(), i = 0
    while i + w <= n {
        let v = load(g + i)
        s += v
        q = q.addingProduct(v, load(xhat + i))
        i += w
    }
    var a = s.sum(), b = q.sum()
    while i < n { a += g[i]; b = b.addingProduct(g[i], xhat[i]); i += 1 }
    return (a, b)
}

/// dx = scale·(g − mean(g) − x̂·mean(g x̂)).
@inline(__always)
private func normalizeGradientRow<T: KernelScalar>(_ n: Int, _ g: UnsafePointer<T>, _ xhat: UnsafePointer<T>, _ scale: T,
                                                   _ meanG: T, _ meanGX: T, _ dx: UnsafeMutablePointer<T>) {
    let w = T.lanes, sv = T.Vector(repeating: scale), mg = T.Vector(repeating: meanG), mgx = T.Vector(repeating: meanGX)
    var i = 0
    while i + w <= n {
        store(sv * (load(g + i) - mg - load(xhat + i) * mgx), dx + i)
        i += w
    }
    while i < n { dx[i] = scale * (g[i] - meanG - xhat[i] * meanGX); i += 1 }
}

@inline(__always)
private func load<T: KernelScalar>(_ p: UnsafePointer<T>) -> T.Vector { UnsafeRawPointer(p).loadUnaligned(as: T.Vector.self) }
@inline(__always)
private func load<T: KernelScalar>(_ p: UnsafeMutablePointer<T>) -> T.Vector { UnsafeRawPointer(p).loadUnaligned(as: T.Vector.self) }
@inline(__always)
private func store<T: KernelScalar>(_ v: T.Vector, _ p: UnsafeMutablePointer<T>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: T.Vector.self) }
