import OptBenchKernels

/// Batch normalisation (Ioffe and Szegedy, 2015) per channel c of an input of shape [C] or
/// [C, H, W]: over the N = B·H·W values of channel c in the batch,
/// μ_c = mean, σ²_c = biased variance, x̂ = (x − μ_c)/√(σ²_c + ε), y = γ_c x̂ + β_c.
/// In training the running averages move as torch's do: m ← (1 − 0.1)m + 0.1μ_c and
/// v ← (1 − 0.1)v + 0.1·σ²_c·N/(N − 1) (unbiased); evaluation normalises by (m, v) instead.
/// Backward in batch mode: ∂f/∂x = (γ/σ)(g − mean(g) − x̂·mean(g x̂)) with g = ∂f/∂y per channel;
/// in evaluation mode the layer is affine, ∂f/∂x = (γ/√(v + ε))·g. ε = 10⁻⁵.
/// With `fusedReLU` set (by `Sequential`, when a ReLU follows) the layer writes ReLU(y) instead
/// and its backward pass takes ∂f/∂ReLU(y), using g = ∂f/∂ReLU(y) ⊙ 1[ReLU(y) > 0] — the
/// same mask as 1[y > 0].
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
    /// Whether the output is ReLU(y), the ReLU that follows folded into this layer's passes.
    var fusedReLU = false

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

    // x̂ is recomputed from x in the backward pass (the same operations, so the same bits):
    // a stored copy would cost a write and a read of the whole activation.
    func reserve(batch: Int) {}

    /// Runs body(c) for every channel, the cores claiming channels one at a time when the batch
    /// is large enough to pay for the hand-off; channels are independent, so the result ignores
    /// the thread count.
    private func forEachChannel(_ batch: Int, _ body: (Int) -> Void) {
        if batch * channels * spatial >= 1 << 15 {
            parallelFor(channels, body)
        } else {
            for c in 0..<channels { body(c) }
        }
    }

    func forward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int, mode: NetworkMode) {
        let size = channels * spatial, n = spatial
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
            let gamma = w[scaleOffset + c], beta = w[shiftOffset + c], relu = fusedReLU
            for b in 0..<batch {
                let o = b * size + c * spatial
                if relu {
                    normalizeRow(n, x + o, Scalar(mu), Scalar(inv), gamma, beta, y + o, relu: true)
                } else {
                    normalizeRow(n, x + o, Scalar(mu), Scalar(inv), gamma, beta, y + o, relu: false)
                }
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
        let size = channels * spatial, n = spatial
        let count = Double(batch * spatial), mask: UnsafePointer<Scalar>? = fusedReLU ? y : nil
        // With the ReLU folded in, the first pass also leaves g = ∂f/∂y ⊙ 1[y > 0] in dx, so that
        // the second reads two arrays (g, x), not three.
        let keep = mask != nil && dx != nil
        forEachChannel(batch) { c in
            var sumG = 0.0, sumGX = 0.0
            let m = Scalar(mean[c]), s = Scalar(inverseDeviation[c])
            for b in 0..<batch {
                let o = b * size + c * spatial
                let (g, gx) = rowSums(n, dy + o, mask.map { $0 + o }, x + o, m, s, keeping: keep ? dx! + o : nil)
                sumG += Double(g)
                sumGX += Double(gx)
            }
            dw[scaleOffset + c] = Scalar(sumGX)
            dw[shiftOffset + c] = Scalar(sumG)
            guard let dx else { return }
            let scale = Scalar(Double(w[scaleOffset + c]) * inverseDeviation[c])
            let meanG = mode.usesBatchStatistics ? Scalar(sumG / count) : 0, meanGX = mode.usesBatchStatistics ? Scalar(sumGX / count) : 0
            // Last rows first: they are the ones the sums above left in cache.
            for b in (0..<batch).reversed() {
                let o = b * size + c * spatial
                if keep {
                    normalizeGradientRow(n, UnsafePointer(dx + o), nil, x + o, m, s, scale, meanG, meanGX, dx + o)
                } else {
                    normalizeGradientRow(n, dy + o, mask.map { $0 + o }, x + o, m, s, scale, meanG, meanGX, dx + o)
                }
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

/// y = γ x̂ + β with x̂ = (x − m)·s, or ReLU(y) with `relu` (negative values replaced by 0).
@inline(__always)
private func normalizeRow<T: KernelScalar>(_ n: Int, _ x: UnsafePointer<T>, _ m: T, _ s: T, _ gamma: T, _ beta: T,
                                           _ y: UnsafeMutablePointer<T>, relu: Bool) {
    let w = T.lanes, mv = T.Vector(repeating: m), sv = T.Vector(repeating: s)
    let gv = T.Vector(repeating: gamma), bv = T.Vector(repeating: beta)
    var i = 0
    while i + w <= n {
        let v = bv.addingProduct(gv, (load(x + i) - mv) * sv)
        store(relu ? T.positivePart(v) : v, y + i)
        i += w
    }
    while i < n {
        let v = gamma * ((x[i] - m) * s) + beta
        y[i] = relu && v < 0 ? 0 : v
        i += 1
    }
}

/// g ⊙ 1[y > 0] when a mask y is given, g otherwise.
@inline(__always)
private func masked<T: KernelScalar>(_ g: UnsafePointer<T>, _ y: UnsafePointer<T>?, _ i: Int) -> T.Vector {
    guard let y else { return load(g + i) }
    return T.maskedByPositive(load(g + i), load(y + i))
}
@inline(__always)
private func masked<T: KernelScalar>(_ g: UnsafePointer<T>, _ y: UnsafePointer<T>?, scalar i: Int) -> T {
    guard let y else { return g[i] }
    return y[i] > 0 ? g[i] : 0
}

/// (Σ g, Σ g·x̂) with x̂ = (x − m)·s, g masked by 1[y > 0] when y is given; the masked g is
/// also stored in `keeping` when given.
@inline(__always)
private func rowSums<T: KernelScalar>(_ n: Int, _ g: UnsafePointer<T>, _ y: UnsafePointer<T>?, _ x: UnsafePointer<T>, _ m: T, _ s: T,
                                      keeping: UnsafeMutablePointer<T>?) -> (T, T) {
    let w = T.lanes, mv = T.Vector(repeating: m), sv = T.Vector(repeating: s)
    var a0 = T.Vector(), q0 = T.Vector(), i = 0
    while i + w <= n {
        let v = masked(g, y, i)
        if let keeping { store(v, keeping + i) }
        a0 += v
        q0 = q0.addingProduct(v, (load(x + i) - mv) * sv)
        i += w
    }
    var a = a0.sum(), b = q0.sum()
    while i < n {
        let v = masked(g, y, scalar: i)
        keeping?[i] = v
        a += v
        b = b.addingProduct(v, (x[i] - m) * s)
        i += 1
    }
    return (a, b)
}

/// dx = scale·(g − mean(g) − x̂·mean(g x̂)) with x̂ = (x − m)·s, g masked by 1[y > 0] when y is given.
@inline(__always)
private func normalizeGradientRow<T: KernelScalar>(_ n: Int, _ g: UnsafePointer<T>, _ y: UnsafePointer<T>?, _ x: UnsafePointer<T>, _ m: T, _ s: T, _ scale: T,
                                                   _ meanG: T, _ meanGX: T, _ dx: UnsafeMutablePointer<T>) {
    let w = T.lanes, sv = T.Vector(repeating: scale), mg = T.Vector(repeating: meanG), mgx = T.Vector(repeating: meanGX)
    let mv = T.Vector(repeating: m), iv = T.Vector(repeating: s)
    var i = 0
    while i + w <= n {
        store(sv * (masked(g, y, i) - mg - ((load(x + i) - mv) * iv) * mgx), dx + i)
        i += w
    }
    while i < n { dx[i] = scale * (masked(g, y, scalar: i) - meanG - ((x[i] - m) * s) * meanGX); i += 1 }
}

@inline(__always)
private func load<T: KernelScalar>(_ p: UnsafePointer<T>) -> T.Vector { UnsafeRawPointer(p).loadUnaligned(as: T.Vector.self) }
@inline(__always)
private func load<T: KernelScalar>(_ p: UnsafeMutablePointer<T>) -> T.Vector { UnsafeRawPointer(p).loadUnaligned(as: T.Vector.self) }
@inline(__always)
private func store<T: KernelScalar>(_ v: T.Vector, _ p: UnsafeMutablePointer<T>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: T.Vector.self) }
