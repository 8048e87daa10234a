// Direct strided convolutions (stride s ≥ 2, k ≥ s): no col matrix. The zero-bordered input
// x_p (x with a border of p) is split into its s² phases
//
//     Q_{a,b}[c, u, v] = x_p[c, s·u + a, s·v + b],   planes of H_q × W_q, W_q = ⌈(W + 2p)/s⌉,
//
// so that patch entry (c, i, j) of output (h, w), x_p[c, s·h + i, s·w + j], is
// Q_{i mod s, j mod s}[c, h + ⌊i/s⌋, w + ⌊j/s⌋]: a fixed offset from the grid position
// q = h·W_q + w in the phase buffer. The strided convolution is then a product over grid
// positions with one offset per entry, as `directConvolution`'s, on s² times fewer positions
// than the stride-1 convolution would visit; each output row h is the W_o entries from h·W_q.
//
// Its adjoint (∂f/∂x from ∂f/∂y) is one such product per phase: with ∂f/∂y written on a W_q-wide
// grid with a margin of m = ⌊(k − 1)/s⌋ rows and columns of zeros at the top and left,
// D[o, (h + m)·W_q + w + m] = ∂f/∂y[o, h, w],
//
//     ∂f/∂Q_{a,b}[c, t] = Σ_o Σ_{i ≡ a, j ≡ b (mod s)} W[o, c, i, j] · D[o, t + (m − ⌊i/s⌋)·W_q + m − ⌊j/s⌋]
//
// for every position t of the phase plane, and ∂f/∂x[c, r, w] is ∂f/∂Q at the phase of (r + p, w + p).

extension ConvolutionGeometry {
    /// Whether the phased kernels apply: stride s ≥ 2 and k ≥ s (every phase meets an entry).
    @inlinable public var isPhased: Bool { stride >= 2 && kernel >= stride }
    /// W_q = ⌈(W + 2p)/s⌉ and H_q = ⌈(H + 2p)/s⌉, the phase planes.
    @inlinable public var phaseWidth: Int { (width + 2 * padding + stride - 1) / stride }
    @inlinable public var phaseHeight: Int { (height + 2 * padding + stride - 1) / stride }
    /// The distance between two phase planes: H_q·W_q and a vector of zeros.
    @inlinable public func phasePlane<T: KernelScalar>(_: T.Type) -> Int { phaseHeight * phaseWidth + T.lanes }
    /// Entries of a sample's phases: C·s² planes, phase (c, a, b) at ((c·s + a)·s + b)·`phasePlane`,
    /// and one vector of slack.
    @inlinable public func phaseCount<T: KernelScalar>(_: T.Type) -> Int { channels * stride * stride * phasePlane(T.self) + T.lanes }
    /// Grid positions of the output, (H_o − 1)·W_q + W_o, and rounded up to whole vectors.
    @inlinable public var phaseGridCount: Int { (outputHeight - 1) * phaseWidth + outputWidth }
    @inlinable public func phaseGridStride<T: KernelScalar>(_: T.Type) -> Int { (phaseGridCount + T.lanes - 1) / T.lanes * T.lanes }
    /// m = ⌊(k − 1)/s⌋, the zero margin of the adjoint's grid.
    @inlinable public var phaseMargin: Int { (kernel - 1) / stride }
    /// The distance between two output-gradient planes of the adjoint: H_q + m + 1 rows of W_q and a vector.
    @inlinable public func phaseGradientPlane<T: KernelScalar>(_: T.Type) -> Int { (phaseHeight + phaseMargin + 1) * phaseWidth + T.lanes }
    /// The phase plane's positions rounded up to whole vectors: the leading dimension of the adjoint's output.
    @inlinable public func phasePlaneStride<T: KernelScalar>(_: T.Type) -> Int { (phaseHeight * phaseWidth + T.lanes - 1) / T.lanes * T.lanes }

    /// The offset of patch entry e = (c·k + i)·k + j in a sample's phases.
    @inlinable public func phaseOffset<T: KernelScalar>(entry e: Int, _: T.Type) -> Int {
        let k = kernel, s = stride, c = e / (k * k), i = e / k % k, j = e % k
        return ((c * s + i % s) * s + j % s) * phasePlane(T.self) + i / s * phaseWidth + j / s
    }
}

/// xq ← the phases of x's interior, into a buffer whose other entries (border, rows and columns
/// past x_p, gaps, slack) are already 0 and are left as they are: a zeroed buffer that only this
/// geometry's samples are split into.
/// - Complexity: O(C·H·W).
@inlinable
public func splitPhases<T: KernelScalar>(_ g: ConvolutionGeometry, _ x: UnsafePointer<T>, _ xq: UnsafeMutablePointer<T>) {
    let s = g.stride, p = g.padding, wq = g.phaseWidth, plane = g.phasePlane(T.self), width = g.width
    for c in 0..<g.channels {
        for r in 0..<g.height {
            let src = x + (c * g.height + r) * width, a = (r + p) % s, u = (r + p) / s
            for b in 0..<s {
                // Columns w with (w + p) mod s = b, from the first one, s apart.
                let first = ((b - p) % s + s) % s
                guard first < width else { continue }
                let dst = xq + ((c * s + a) * s + b) * plane + u * wq + (first + p) / s
                var t = 0, w = first
                while w < width { dst[t] = src[w]; t += 1; w += s }
            }
        }
    }
}

/// dx[c, r, w] ← ∂f/∂Q at the phase of (r + p, w + p), for the phases a, b held in `grid`:
/// row c of `grid` (leading dimension `ld`) is the plane of phase (c, a, b).
/// - Complexity: O(C·H·W/s²).
@inlinable
public func mergePhase<T: KernelScalar>(_ g: ConvolutionGeometry, a: Int, b: Int, _ grid: UnsafePointer<T>, ld: Int,
                                        _ dx: UnsafeMutablePointer<T>) {
    let s = g.stride, p = g.padding, wq = g.phaseWidth, width = g.width
    let firstRow = ((a - p) % s + s) % s, firstColumn = ((b - p) % s + s) % s
    guard firstColumn < width else { return }
    for c in 0..<g.channels {
        var r = firstRow
        while r < g.height {
            let src = grid + c * ld + (r + p) / s * wq + (firstColumn + p) / s, dst = dx + (c * g.height + r) * width
            var t = 0, w = firstColumn
            while w < width { dst[w] = src[t]; t += 1; w += s }
            r += s
        }
    }
}

/// D[o, (h + m)·W_q + w + m] ← ∂f/∂y[o, h, w] for one sample, into a buffer of planes
/// `phaseGradientPlane` apart whose other entries are 0 and left as they are.
/// - Complexity: O(O·H_o·W_o).
@inlinable
public func placePhaseGradient<T: KernelScalar>(_ g: ConvolutionGeometry, outputs: Int, _ dy: UnsafePointer<T>,
                                                _ d: UnsafeMutablePointer<T>) {
    let wq = g.phaseWidth, m = g.phaseMargin, plane = g.phaseGradientPlane(T.self), ho = g.outputHeight, wo = g.outputWidth
    for o in 0..<outputs {
        for h in 0..<ho { copyRow(wo, dy + (o * ho + h) * wo, d + o * plane + (h + m) * wq + m) }
    }
}

/// The entries (i, j) of phase (a, b), i ≡ a and j ≡ b (mod s), in row-major order: ⌈(k − a)/s⌉·⌈(k − b)/s⌉ of them.
@inlinable
public func phaseEntries(_ g: ConvolutionGeometry, a: Int, b: Int) -> Int {
    let k = g.kernel, s = g.stride
    return ((k - a + s - 1) / s) * ((k - b + s - 1) / s)
}

/// Packs W [O, C, k, k] and the offsets for the adjoint of phase (a, b): ⌈C/16⌉ blocks of
/// O·n × 16 (n = `phaseEntries`), row o·n + t holding W[o, c, i, j] of the t-th entry (i, j) of
/// the phase at lane c mod 16 (0 past C), and offsets[o·n + t] = o·`phaseGradientPlane` +
/// (m − ⌊i/s⌋)·W_q + m − ⌊j/s⌋.
/// - Complexity: O(⌈C/16⌉·16·O·n).
@inlinable
public func packPhaseAdjoint<T: KernelScalar>(_ g: ConvolutionGeometry, outputs: Int, a: Int, b: Int, _ w: UnsafePointer<T>,
                                              _ packed: UnsafeMutablePointer<T>, offsets: UnsafeMutablePointer<Int>) {
    let k = g.kernel, s = g.stride, r = directConvolutionRows, n = phaseEntries(g, a: a, b: b), m = g.phaseMargin
    let wq = g.phaseWidth, plane = g.phaseGradientPlane(T.self), inputs = g.channels
    let rows = outputs * n
    for o in 0..<outputs {
        var t = 0, i = a
        while i < k {
            var j = b
            while j < k {
                offsets[o * n + t] = o * plane + (m - i / s) * wq + m - j / s
                for block in 0..<((inputs + r - 1) / r) {
                    for lane in 0..<r {
                        let c = block * r + lane
                        packed[(block * rows + o * n + t) * r + lane] = c < inputs ? w[((o * inputs + c) * k + i) * k + j] : 0
                    }
                }
                t += 1
                j += s
            }
            i += s
        }
    }
}

/// out[o, q] = Σ_e packed[e, o]·x[offsets[e] + q] for the `positions` grid positions q (in whole
/// vectors) and every o < ⌈outputs/16⌉·16, with the weights packed as `packConvolutionWeights`
/// packs them: ⌈outputs/16⌉ blocks of `entries` × 16. `ldout` ≥ `positions` rounded up to vectors.
/// The register tile is `directConvolution`'s for `isa`; each output sums the entries in order.
/// - Complexity: O(⌈outputs/16⌉·16·entries·positions).
@inlinable
public func offsetConvolution<T: KernelScalar>(entries: Int, _ offsets: UnsafePointer<Int>, positions: Int, outputs: Int,
                                               _ packed: UnsafePointer<T>, _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>,
                                               ldout: Int, isa: KernelISA = .current) {
    let r = directConvolutionRows, w = T.lanes
    for block in 0..<((outputs + r - 1) / r) {
        let weights = packed + block * entries * r
        let rowBase = out + block * r * ldout
        var q = 0
        if isa == .avx2 {
            while q < positions {
                let xq = x + q
                @inline(__always) func strip(_ lane0: Int, _ rows: Int) {
                    var a = ConvolutionStrip256<T>()
                    var pw = weights + lane0
                    for e in 0..<entries {
                        a.add(rows, pw, xq + offsets[e])
                        pw += r
                    }
                    a.store(rows, rowBase + lane0 * ldout + q, ldout)
                }
                strip(0, 6); strip(6, 6); strip(12, 4)
                q += w
            }
            continue
        }
        while q < positions {
            var a0 = T.Vector(), a1 = T.Vector(), a2 = T.Vector(), a3 = T.Vector()
            var a4 = T.Vector(), a5 = T.Vector(), a6 = T.Vector(), a7 = T.Vector()
            var a8 = T.Vector(), a9 = T.Vector(), a10 = T.Vector(), a11 = T.Vector()
            var a12 = T.Vector(), a13 = T.Vector(), a14 = T.Vector(), a15 = T.Vector()
            var pw = weights
            let xq = x + q
            for e in 0..<entries {
                let v = (xq + offsets[e]).vector(at: 0)
                a0 = a0.addingProduct(T.Vector(repeating: pw[0]), v)
                a1 = a1.addingProduct(T.Vector(repeating: pw[1]), v)
                a2 = a2.addingProduct(T.Vector(repeating: pw[2]), v)
                a3 = a3.addingProduct(T.Vector(repeating: pw[3]), v)
                a4 = a4.addingProduct(T.Vector(repeating: pw[4]), v)
                a5 = a5.addingProduct(T.Vector(repeating: pw[5]), v)
                a6 = a6.addingProduct(T.Vector(repeating: pw[6]), v)
                a7 = a7.addingProduct(T.Vector(repeating: pw[7]), v)
                a8 = a8.addingProduct(T.Vector(repeating: pw[8]), v)
                a9 = a9.addingProduct(T.Vector(repeating: pw[9]), v)
                a10 = a10.addingProduct(T.Vector(repeating: pw[10]), v)
                a11 = a11.addingProduct(T.Vector(repeating: pw[11]), v)
                a12 = a12.addingProduct(T.Vector(repeating: pw[12]), v)
                a13 = a13.addingProduct(T.Vector(repeating: pw[13]), v)
                a14 = a14.addingProduct(T.Vector(repeating: pw[14]), v)
                a15 = a15.addingProduct(T.Vector(repeating: pw[15]), v)
                pw += r
            }
            let o = rowBase + q
            o.store(a0, at: 0); (o + ldout).store(a1, at: 0); (o + 2 * ldout).store(a2, at: 0); (o + 3 * ldout).store(a3, at: 0)
            (o + 4 * ldout).store(a4, at: 0); (o + 5 * ldout).store(a5, at: 0); (o + 6 * ldout).store(a6, at: 0); (o + 7 * ldout).store(a7, at: 0)
            (o + 8 * ldout).store(a8, at: 0); (o + 9 * ldout).store(a9, at: 0); (o + 10 * ldout).store(a10, at: 0); (o + 11 * ldout).store(a11, at: 0)
            (o + 12 * ldout).store(a12, at: 0); (o + 13 * ldout).store(a13, at: 0); (o + 14 * ldout).store(a14, at: 0); (o + 15 * ldout).store(a15, at: 0)
            q += w
        }
    }
}
