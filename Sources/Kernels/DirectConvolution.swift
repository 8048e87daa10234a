// Direct stride-1 "same" convolutions (2p = k − 1: 3×3 with padding 1, 1×1 without): no col
// matrix. The input is copied once into a zero-bordered plane of width W_p = W + 2p, in which
// the patch entry (c, i, j) of output position q = h·W_p + w is at c·H_p·W_p + i·W_p + j + q —
// a fixed offset per entry. So each step of the product reads one contiguous vector of
// positions, and the outputs come out on the W_p-wide grid, whose last 2p columns per row are
// discarded. The weights are packed in blocks of 16 output channels, which fits the 16, 32 and
// 64 channels of a ResNet with no padding rows. The register tile (`KernelISA`) is, on AVX-512,
// the whole block × one 512-bit vector of positions (16 accumulators); on AVX2, which has 16
// registers of 256 bits, the block runs as strips of 6, 6 and 4 channels × two 256-bit vectors
// of positions (`ConvolutionStrip256`, at most 12 accumulators). Every output is the same
// fused multiply-add chain over the patch entries in either tile.

/// Output channels per block of packed convolution weights (`packConvolutionWeights`).
public let directConvolutionRows = 16

/// The AVX2 convolution tile: `rows` (6 or 4) output channels × 2h positions (h = lanes of a
/// 256-bit vector) in 2·rows accumulators, lo and hi halves of the positions. Each step adds
/// w[r]·x for the rows' weights w (one entry of a packed 16-channel block, from the strip's
/// first lane) and the input x at the strip's positions. A 16-channel block runs as three
/// strips, channels 0–5, 6–11 and 12–15.
@usableFromInline
struct ConvolutionStrip256<T: KernelScalar> {
    @usableFromInline var a0l = T.HalfVector(), a0h = T.HalfVector(), a1l = T.HalfVector(), a1h = T.HalfVector()
    @usableFromInline var a2l = T.HalfVector(), a2h = T.HalfVector(), a3l = T.HalfVector(), a3h = T.HalfVector()
    @usableFromInline var a4l = T.HalfVector(), a4h = T.HalfVector(), a5l = T.HalfVector(), a5h = T.HalfVector()

    @inlinable @inline(__always) init() {}

    /// a_r ← a_r + w[r]·x for r < rows, x the 2h inputs at `x` (lo then hi). - Complexity: O(rows).
    @inlinable @inline(__always)
    mutating func add(_ rows: Int, _ w: UnsafePointer<T>, _ x: UnsafePointer<T>) {
        typealias H = T.HalfVector
        let h = T.lanes / 2, lo = x.load(H.self, at: 0), hi = x.load(H.self, at: h)
        do { let b = H(repeating: w[0]); a0l = a0l.addingProduct(b, lo); a0h = a0h.addingProduct(b, hi) }
        do { let b = H(repeating: w[1]); a1l = a1l.addingProduct(b, lo); a1h = a1h.addingProduct(b, hi) }
        do { let b = H(repeating: w[2]); a2l = a2l.addingProduct(b, lo); a2h = a2h.addingProduct(b, hi) }
        do { let b = H(repeating: w[3]); a3l = a3l.addingProduct(b, lo); a3h = a3h.addingProduct(b, hi) }
        if rows > 4 { let b = H(repeating: w[4]); a4l = a4l.addingProduct(b, lo); a4h = a4h.addingProduct(b, hi) }
        if rows > 4 { let b = H(repeating: w[5]); a5l = a5l.addingProduct(b, lo); a5h = a5h.addingProduct(b, hi) }
    }

    /// Row r of the strip into out[r·ld ..< r·ld + 2h]. - Complexity: O(rows).
    @inlinable @inline(__always)
    func store(_ rows: Int, _ out: UnsafeMutablePointer<T>, _ ld: Int) {
        let h = T.lanes / 2
        out.store(a0l, at: 0); out.store(a0h, at: h); (out + ld).store(a1l, at: 0); (out + ld).store(a1h, at: h)
        (out + 2 * ld).store(a2l, at: 0); (out + 2 * ld).store(a2h, at: h); (out + 3 * ld).store(a3l, at: 0); (out + 3 * ld).store(a3h, at: h)
        if rows > 4 { (out + 4 * ld).store(a4l, at: 0); (out + 4 * ld).store(a4h, at: h); (out + 5 * ld).store(a5l, at: 0); (out + 5 * ld).store(a5h, at: h) }
    }
}

extension ConvolutionGeometry {
    /// Whether the direct kernels apply: stride 1 and 2p = k − 1.
    @inlinable public var isSameStride1: Bool { stride == 1 && 2 * padding == kernel - 1 }
    /// W + 2p and H + 2p, the zero-bordered plane.
    @inlinable public var paddedWidth: Int { width + 2 * padding }
    @inlinable public var paddedHeight: Int { height + 2 * padding }
    /// The distance between the padded planes of two channels: H_p·W_p and a vector of zeros,
    /// so that a whole vector read past the last grid position of a plane reads zeros.
    @inlinable public func paddedPlane<T: KernelScalar>(_: T.Type) -> Int { paddedHeight * paddedWidth + T.lanes }
    /// Entries of a padded sample: C planes plus one vector of slack read past the end.
    @inlinable public func paddedCount<T: KernelScalar>(_: T.Type) -> Int { channels * paddedPlane(T.self) + T.lanes }
    /// Positions of the output grid, (H − 1)·W_p + W: row h of the output starts at h·W_p.
    @inlinable public var gridCount: Int { (height - 1) * paddedWidth + width }
    /// The grid rounded up to whole vectors, the leading dimension of a grid output.
    @inlinable public func gridStride<T: KernelScalar>(_: T.Type) -> Int { (gridCount + T.lanes - 1) / T.lanes * T.lanes }
}

/// xp ← x with a zero border of p on every side, channel c at c·`paddedPlane` (see
/// `paddedCount` for its size; the gaps between planes and the slack are 0).
/// - Complexity: O(C·H_p·W_p).
@inlinable
public func padImage<T: KernelScalar>(_ g: ConvolutionGeometry, _ x: UnsafePointer<T>, _ xp: UnsafeMutablePointer<T>) {
    let wp = g.paddedWidth, hp = g.paddedHeight, p = g.padding, plane = g.paddedPlane(T.self)
    for c in 0..<g.channels {
        let src = x + c * g.height * g.width, dst = xp + c * plane
        fill(p * wp + p, 0, dst)
        for h in 0..<g.height {
            let row = dst + (h + p) * wp + p
            copyRow(g.width, src + h * g.width, row)
            // The right border of this row and the left border of the next are adjacent.
            fill(2 * p, 0, row + g.width)
        }
        fill(p * wp - p + T.lanes, 0, dst + (hp - p) * wp + p)
    }
    fill(T.lanes, 0, xp + g.channels * plane)
}

/// The interior of `padImage`: the rows of x into a padded sample xp whose border, gaps and
/// slack are already 0 and are left as they are — a buffer that `padImage` filled, or a
/// zeroed one, and that only this geometry's samples are copied into.
/// - Complexity: O(C·H·W).
@inlinable
public func padImageInterior<T: KernelScalar>(_ g: ConvolutionGeometry, _ x: UnsafePointer<T>, _ xp: UnsafeMutablePointer<T>) {
    let wp = g.paddedWidth, p = g.padding, plane = g.paddedPlane(T.self), width = g.width
    for c in 0..<g.channels {
        let src = x + c * g.height * width, dst = xp + c * plane + p * wp + p
        for h in 0..<g.height { copyRow(width, src + h * width, dst + h * wp) }
    }
}

/// Packs W [O, C, k, k] for `directConvolution`: ⌈O/16⌉ blocks of C·k² × 16, entry
/// (o, c, i, j) at block o/16, row (c·k + i)·k + j, lane o mod 16; missing channels are 0.
/// `flipped` packs instead the weights of the adjoint convolution (∂f/∂x from ∂f/∂y): the
/// kernel W′[c, o, i, j] = W[o, c, k−1−i, k−1−j], with C blocks over o.
/// - Complexity: O(⌈O/16⌉·16·C·k²).
@inlinable
public func packConvolutionWeights<T: KernelScalar>(outputs: Int, inputs: Int, kernel k: Int, _ w: UnsafePointer<T>,
                                                    flipped: Bool, _ packed: UnsafeMutablePointer<T>) {
    let r = directConvolutionRows
    let rows = flipped ? inputs : outputs, columns = flipped ? outputs : inputs
    let entries = columns * k * k
    for block in 0..<((rows + r - 1) / r) {
        let dst = packed + block * entries * r
        for e in 0..<entries {
            let c = e / (k * k), i = e / k % k, j = e % k
            for lane in 0..<r {
                let row = block * r + lane
                var v: T = 0
                if row < rows {
                    v = flipped ? w[((c * inputs + row) * k + (k - 1 - i)) * k + (k - 1 - j)] : w[((row * inputs + c) * k + i) * k + j]
                }
                dst[e * r + lane] = v
            }
        }
    }
}

/// out[o, q] = Σ_{c,i,j} W[o, c, i, j]·xp[c, q + i·W_p + j] for every grid position q of a
/// padded sample xp and every o < ⌈O/16⌉·16, with W packed by `packConvolutionWeights`:
/// output row h of channel o is out[o·ldout + h·W_p ..< … + W]. `ldout` ≥ `gridStride`. Each
/// output sums the entries (c, i, j) in that order, whatever `isa` (the register tile).
/// - Complexity: O(⌈O/16⌉·16·C·k²·gridStride).
@inlinable
public func directConvolution<T: KernelScalar>(_ g: ConvolutionGeometry, outputs: Int, _ packed: UnsafePointer<T>,
                                               _ xp: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, ldout: Int,
                                               isa: KernelISA = .current) {
    let k = g.kernel, wp = g.paddedWidth, plane = g.paddedPlane(T.self), r = directConvolutionRows
    let grid = g.gridCount, entries = g.patchSize, w = T.lanes
    for block in 0..<((outputs + r - 1) / r) {
        let weights = packed + block * entries * r
        let rowBase = out + block * r * ldout
        var q = 0
        if isa == .avx2 {
            while q < grid {
                @inline(__always) func strip(_ lane0: Int, _ rows: Int) {
                    var a = ConvolutionStrip256<T>()
                    var pw = weights + lane0
                    for c in 0..<g.channels {
                        for i in 0..<k {
                            let row = xp + c * plane + i * wp + q
                            for j in 0..<k {
                                a.add(rows, pw, row + j)
                                pw += r
                            }
                        }
                    }
                    a.store(rows, rowBase + lane0 * ldout + q, ldout)
                }
                strip(0, 6); strip(6, 6); strip(12, 4)
                q += w
            }
            continue
        }
        while q < grid {
            var a0 = T.Vector(), a1 = T.Vector(), a2 = T.Vector(), a3 = T.Vector()
            var a4 = T.Vector(), a5 = T.Vector(), a6 = T.Vector(), a7 = T.Vector()
            var a8 = T.Vector(), a9 = T.Vector(), a10 = T.Vector(), a11 = T.Vector()
            var a12 = T.Vector(), a13 = T.Vector(), a14 = T.Vector(), a15 = T.Vector()
            var pw = weights
            for c in 0..<g.channels {
                for i in 0..<k {
                    let row = xp + c * plane + i * wp + q
                    for j in 0..<k {
                        let v = row.vector(at: j)
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
                }
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

/// C ← C + A·Bᵀ for A m × k and B n × k, both row-major along k (leading dimensions `lda`,
/// `ldb`; C m × n, `ldc`): the weight gradient G·colᵀ of a convolution lowered by im2col, where
/// both factors run along the positions. GEMM would pack colᵀ with one scalar move per entry;
/// here tiles of 4 × 6 (AVX-512) or 2 × 3 (AVX2, each sum a pair of 256-bit halves) keep 24 or
/// 6 sums of one 512-bit vector over k, reduced across lanes at the end, then the tail of k is
/// added entry by entry. Each entry's arithmetic — the lanes' chains, their reduction, the tail
/// — is `productRow`'s whatever the tile, so `isa` changes no bit of C.
/// - Complexity: O(m·n·k).
@inlinable
public func accumulateProductTransposed<T: KernelScalar>(_ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<T>, _ lda: Int,
                                                         _ b: UnsafePointer<T>, _ ldb: Int, _ c: UnsafeMutablePointer<T>, _ ldc: Int,
                                                         isa: KernelISA = .current) {
    let w = T.lanes, full = k / w * w
    @inline(__always) func tail(_ x: UnsafePointer<T>, _ y: UnsafePointer<T>) -> T {
        var t: T = 0
        for q in full..<k { t = t.addingProduct(x[q], y[q]) }
        return t
    }
    var i = 0
    if isa == .avx2 {
        typealias H = T.HalfVector
        let h = w / 2
        while i + 2 <= m {
            let a0 = a + i * lda, a1 = a0 + lda
            var j = 0
            while j + 3 <= n {
                let b0 = b + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb
                var s00l = H(), s01l = H(), s02l = H(), s10l = H(), s11l = H(), s12l = H()
                var s00h = H(), s01h = H(), s02h = H(), s10h = H(), s11h = H(), s12h = H()
                var q = 0
                while q < full {
                    // The low halves, then the high ones: 12 sums, 3 of B and 1 of A in 16 registers.
                    do {
                        let v0 = b0.load(H.self, at: q), v1 = b1.load(H.self, at: q), v2 = b2.load(H.self, at: q)
                        var u = a0.load(H.self, at: q)
                        s00l = s00l.addingProduct(u, v0); s01l = s01l.addingProduct(u, v1); s02l = s02l.addingProduct(u, v2)
                        u = a1.load(H.self, at: q)
                        s10l = s10l.addingProduct(u, v0); s11l = s11l.addingProduct(u, v1); s12l = s12l.addingProduct(u, v2)
                    }
                    do {
                        let v0 = b0.load(H.self, at: q + h), v1 = b1.load(H.self, at: q + h), v2 = b2.load(H.self, at: q + h)
                        var u = a0.load(H.self, at: q + h)
                        s00h = s00h.addingProduct(u, v0); s01h = s01h.addingProduct(u, v1); s02h = s02h.addingProduct(u, v2)
                        u = a1.load(H.self, at: q + h)
                        s10h = s10h.addingProduct(u, v0); s11h = s11h.addingProduct(u, v1); s12h = s12h.addingProduct(u, v2)
                    }
                    q += w
                }
                @inline(__always) func put(_ r: Int, _ x: UnsafePointer<T>, _ s0: T.Vector, _ s1: T.Vector, _ s2: T.Vector) {
                    let row = c + (i + r) * ldc + j
                    row[0] += s0.sum() + tail(x, b0); row[1] += s1.sum() + tail(x, b1); row[2] += s2.sum() + tail(x, b2)
                }
                put(0, a0, T.joined(s00l, s00h), T.joined(s01l, s01h), T.joined(s02l, s02h))
                put(1, a1, T.joined(s10l, s10h), T.joined(s11l, s11h), T.joined(s12l, s12h))
                j += 3
            }
            for j in j..<n { for r in 0..<2 { c[(i + r) * ldc + j] += productRow(k, a + (i + r) * lda, b + j * ldb) } }
            i += 2
        }
        for i in i..<m { for j in 0..<n { c[i * ldc + j] += productRow(k, a + i * lda, b + j * ldb) } }
        return
    }
    while i + 4 <= m {
        let a0 = a + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda
        var j = 0
        while j + 6 <= n {
            let b0 = b + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb, b4 = b3 + ldb, b5 = b4 + ldb
            var s00 = T.Vector(), s01 = T.Vector(), s02 = T.Vector(), s03 = T.Vector(), s04 = T.Vector(), s05 = T.Vector()
            var s10 = T.Vector(), s11 = T.Vector(), s12 = T.Vector(), s13 = T.Vector(), s14 = T.Vector(), s15 = T.Vector()
            var s20 = T.Vector(), s21 = T.Vector(), s22 = T.Vector(), s23 = T.Vector(), s24 = T.Vector(), s25 = T.Vector()
            var s30 = T.Vector(), s31 = T.Vector(), s32 = T.Vector(), s33 = T.Vector(), s34 = T.Vector(), s35 = T.Vector()
            var q = 0
            while q < full {
                let v0 = b0.vector(at: q), v1 = b1.vector(at: q), v2 = b2.vector(at: q)
                let v3 = b3.vector(at: q), v4 = b4.vector(at: q), v5 = b5.vector(at: q)
                var u = a0.vector(at: q)
                s00 = s00.addingProduct(u, v0); s01 = s01.addingProduct(u, v1); s02 = s02.addingProduct(u, v2)
                s03 = s03.addingProduct(u, v3); s04 = s04.addingProduct(u, v4); s05 = s05.addingProduct(u, v5)
                u = a1.vector(at: q)
                s10 = s10.addingProduct(u, v0); s11 = s11.addingProduct(u, v1); s12 = s12.addingProduct(u, v2)
                s13 = s13.addingProduct(u, v3); s14 = s14.addingProduct(u, v4); s15 = s15.addingProduct(u, v5)
                u = a2.vector(at: q)
                s20 = s20.addingProduct(u, v0); s21 = s21.addingProduct(u, v1); s22 = s22.addingProduct(u, v2)
                s23 = s23.addingProduct(u, v3); s24 = s24.addingProduct(u, v4); s25 = s25.addingProduct(u, v5)
                u = a3.vector(at: q)
                s30 = s30.addingProduct(u, v0); s31 = s31.addingProduct(u, v1); s32 = s32.addingProduct(u, v2)
                s33 = s33.addingProduct(u, v3); s34 = s34.addingProduct(u, v4); s35 = s35.addingProduct(u, v5)
                q += w
            }
            @inline(__always) func put(_ r: Int, _ x: UnsafePointer<T>, _ s0: T.Vector, _ s1: T.Vector, _ s2: T.Vector,
                                       _ s3: T.Vector, _ s4: T.Vector, _ s5: T.Vector) {
                let row = c + (i + r) * ldc + j
                row[0] += s0.sum() + tail(x, b0); row[1] += s1.sum() + tail(x, b1); row[2] += s2.sum() + tail(x, b2)
                row[3] += s3.sum() + tail(x, b3); row[4] += s4.sum() + tail(x, b4); row[5] += s5.sum() + tail(x, b5)
            }
            put(0, a0, s00, s01, s02, s03, s04, s05); put(1, a1, s10, s11, s12, s13, s14, s15)
            put(2, a2, s20, s21, s22, s23, s24, s25); put(3, a3, s30, s31, s32, s33, s34, s35)
            j += 6
        }
        for j in j..<n { for r in 0..<4 { c[(i + r) * ldc + j] += productRow(k, a + (i + r) * lda, b + j * ldb) } }
        i += 4
    }
    for i in i..<m { for j in 0..<n { c[i * ldc + j] += productRow(k, a + i * lda, b + j * ldb) } }
}

/// Σ_q x[q]·y[q]: one vector sum over whole vectors, its lanes, then the tail (the tiles' order).
@inlinable @inline(__always)
func productRow<T: KernelScalar>(_ k: Int, _ x: UnsafePointer<T>, _ y: UnsafePointer<T>) -> T {
    let w = T.lanes, full = k / w * w
    var v = T.Vector(), q = 0
    while q < full { v = v.addingProduct(x.vector(at: q), y.vector(at: q)); q += w }
    var t: T = 0
    for q in full..<k { t = t.addingProduct(x[q], y[q]) }
    return v.sum() + t
}

// The weight gradient with the output channels across the lanes. dW[o, e] = Σ_s Σ_{h,w}
// ∂f/∂y_s[o, h, w]·xp_s[c, (h + i)·W_p + w + j] for entry e = (c·k + i)·k + j: with ∂f/∂y laid
// out position-major, one vector holds the gradients of L output channels at one position, and
// each entry's input value is broadcast against it. The sums then run over the real H·W positions
// only (no discarded grid columns) and end as vectors of L channels, with no reduction across lanes.

/// Output-channel blocks of L = `T.lanes` lanes for `transposeOutputGradient`: ⌈O/L⌉.
@inlinable
public func outputGradientBlocks<T: KernelScalar>(_: T.Type, outputs: Int) -> Int { (outputs + T.lanes - 1) / T.lanes }

/// dyt ← ∂f/∂y of one sample [O, H·W] laid out position-major by blocks of L = `T.lanes` output
/// channels: dyt[(b·P + q)·L + l] = dy[(b·L + l)·P + q] for positions q < P = H·W, blocks
/// b < ⌈O/L⌉, and 0 for the channels b·L + l ≥ O. dyt holds ⌈O/L⌉·P·L entries. Full blocks
/// go L positions at a time through `transposeBlock`.
/// - Complexity: O(⌈O/L⌉·L·P).
@inlinable
public func transposeOutputGradient<T: KernelScalar>(outputs: Int, positions p: Int, _ dy: UnsafePointer<T>,
                                                     _ dyt: UnsafeMutablePointer<T>) {
    let l = T.lanes
    for block in 0..<outputGradientBlocks(T.self, outputs: outputs) {
        let o0 = block * l, full = min(l, outputs - o0), dst = dyt + block * p * l, src = dy + o0 * p
        var start = 0
        if full == l {
            while start + l <= p { T.transposeBlock(src + start, p, dst + start * l); start += l }
        }
        for q in start..<p {
            let d = dst + q * l
            for lane in 0..<full { d[lane] = src[lane * p + q] }
            for lane in full..<l { d[lane] = 0 }
        }
    }
}

/// dW[o, (c·k + i)·k + j] += Σ_s Σ_{h<H, w<W} dyt_s[o, h·W + w]·xp_s[c, (h + i)·W_p + w + j] for the
/// `samples` samples s: xp_s = xp + s·`paddedCount` is the padded input of sample s
/// (`padImage`) and dyt_s = dyt + s·`dyStride` its output gradient as `transposeOutputGradient`
/// lays it out. dW is O × C·k², leading dimension C·k². See `convolutionWeightGradientByChannel`.
/// - Complexity: O(samples·⌈O/L⌉·L·⌈C·k²/12⌉·12·H·W).
@inlinable
public func directConvolutionWeightGradientByChannel<T: KernelScalar>(_ g: ConvolutionGeometry, outputs: Int, samples: Int,
                                                                      _ dyt: UnsafePointer<T>, dyStride: Int,
                                                                      _ xp: UnsafePointer<T>, _ dw: UnsafeMutablePointer<T>,
                                                                      isa: KernelISA = .current) {
    let k = g.kernel, wp = g.paddedWidth, plane = g.paddedPlane(T.self), entries = g.patchSize
    withUnsafeTemporaryAllocation(of: Int.self, capacity: entries) { offsets in
        for e in 0..<entries { offsets[e] = e / (k * k) * plane + e / k % k * wp + e % k }
        convolutionWeightGradientByChannel(entries: entries, UnsafePointer(offsets.baseAddress!), outputs: outputs, samples: samples,
                                           height: g.height, width: g.width, rowStride: wp, sampleStride: g.paddedCount(T.self),
                                           dyt, dyStride: dyStride, xp, dw, isa: isa)
    }
}

/// dW[o, e] += Σ_s Σ_{h<H, w<W} dyt_s[o, h·W + w]·x_s[offsets[e] + h·`rowStride` + w] for the
/// `samples` samples s (x_s = x + s·`sampleStride`, dyt_s = dyt + s·`dyStride` the output
/// gradient of an H × W output as `transposeOutputGradient` lays it out): the weight gradient of
/// a convolution whose patch entry e of output (h, w) sits at a fixed offset from h·`rowStride` + w
/// (a padded sample for stride 1, its phases for stride s). dW is O × `entries`. Tiles of L
/// output channels × 12 entries (AVX-512: 12 vector sums) or × 6 entries (AVX2: 12 sums of
/// 256-bit halves) keep each sum over the samples in order and, within a sample, over the
/// positions in row-major order — the same order for either `isa`.
/// - Complexity: O(samples·⌈O/L⌉·L·⌈entries/12⌉·12·H·W).
@inlinable
public func convolutionWeightGradientByChannel<T: KernelScalar>(entries: Int, _ offsets: UnsafePointer<Int>, outputs: Int, samples: Int,
                                                                height h: Int, width: Int, rowStride: Int, sampleStride: Int,
                                                                _ dyt: UnsafePointer<T>, dyStride: Int,
                                                                _ xp: UnsafePointer<T>, _ dw: UnsafeMutablePointer<T>,
                                                                isa: KernelISA = .current) {
    let l = T.lanes, p = h * width, wp = rowStride, xStride = sampleStride
    // Entries past the end of a tile read entry 0's input; their sums are dropped.
    @inline(__always) func offset(_ e: Int) -> Int { e < entries ? offsets[e] : 0 }
    @inline(__always) func b(_ x: UnsafePointer<T>, _ f: Int) -> T.Vector { T.Vector(repeating: x[f]) }
    if isa == .avx2 {
        typealias H = T.HalfVector
        let half = l / 2
        @inline(__always) func bh(_ x: UnsafePointer<T>, _ f: Int) -> H { H(repeating: x[f]) }
        for block in 0..<outputGradientBlocks(T.self, outputs: outputs) {
            let lanes = min(l, outputs - block * l)
            var e = 0
            while e < entries {
                let (f0, f1, f2, f3, f4, f5) = (offset(e), offset(e + 1), offset(e + 2), offset(e + 3), offset(e + 4), offset(e + 5))
                var s0l = H(), s1l = H(), s2l = H(), s3l = H(), s4l = H(), s5l = H()
                var s0h = H(), s1h = H(), s2h = H(), s3h = H(), s4h = H(), s5h = H()
                for s in 0..<samples {
                    let xs = xp + s * xStride, ds = dyt + s * dyStride + block * p * l
                    for r in 0..<h {
                        let xr = xs + r * wp, dr = ds + r * width * l
                        for c in 0..<width {
                            let d = dr + c * l, x = xr + c
                            let ul = d.load(H.self, at: 0), uh = d.load(H.self, at: half)
                            var v = bh(x, f0); s0l = s0l.addingProduct(ul, v); s0h = s0h.addingProduct(uh, v)
                            v = bh(x, f1); s1l = s1l.addingProduct(ul, v); s1h = s1h.addingProduct(uh, v)
                            v = bh(x, f2); s2l = s2l.addingProduct(ul, v); s2h = s2h.addingProduct(uh, v)
                            v = bh(x, f3); s3l = s3l.addingProduct(ul, v); s3h = s3h.addingProduct(uh, v)
                            v = bh(x, f4); s4l = s4l.addingProduct(ul, v); s4h = s4h.addingProduct(uh, v)
                            v = bh(x, f5); s5l = s5l.addingProduct(ul, v); s5h = s5h.addingProduct(uh, v)
                        }
                    }
                }
                let tile = min(6, entries - e), base = dw + block * l * entries + e
                for lane in 0..<lanes {
                    let row = base + lane * entries
                    let (v0, v1, v2) = (T.joined(s0l, s0h), T.joined(s1l, s1h), T.joined(s2l, s2h))
                    let (v3, v4, v5) = (T.joined(s3l, s3h), T.joined(s4l, s4h), T.joined(s5l, s5h))
                    row[0] += v0[lane]
                    if tile > 1 { row[1] += v1[lane] }; if tile > 2 { row[2] += v2[lane] }; if tile > 3 { row[3] += v3[lane] }
                    if tile > 4 { row[4] += v4[lane] }; if tile > 5 { row[5] += v5[lane] }
                }
                e += 6
            }
        }
        return
    }
    for block in 0..<outputGradientBlocks(T.self, outputs: outputs) {
        let lanes = min(l, outputs - block * l)
        var e = 0
        while e < entries {
            let (f0, f1, f2, f3, f4, f5) = (offset(e), offset(e + 1), offset(e + 2), offset(e + 3), offset(e + 4), offset(e + 5))
            let (f6, f7, f8, f9, f10, f11) = (offset(e + 6), offset(e + 7), offset(e + 8), offset(e + 9), offset(e + 10), offset(e + 11))
            var s0 = T.Vector(), s1 = T.Vector(), s2 = T.Vector(), s3 = T.Vector(), s4 = T.Vector(), s5 = T.Vector()
            var s6 = T.Vector(), s7 = T.Vector(), s8 = T.Vector(), s9 = T.Vector(), s10 = T.Vector(), s11 = T.Vector()
            for s in 0..<samples {
                let xs = xp + s * xStride, ds = dyt + s * dyStride + block * p * l
                for r in 0..<h {
                    let xr = xs + r * wp, dr = ds + r * width * l
                    for c in 0..<width {
                        let u = dr.vector(at: c * l), x = xr + c
                        s0 = s0.addingProduct(u, b(x, f0)); s1 = s1.addingProduct(u, b(x, f1)); s2 = s2.addingProduct(u, b(x, f2))
                        s3 = s3.addingProduct(u, b(x, f3)); s4 = s4.addingProduct(u, b(x, f4)); s5 = s5.addingProduct(u, b(x, f5))
                        s6 = s6.addingProduct(u, b(x, f6)); s7 = s7.addingProduct(u, b(x, f7)); s8 = s8.addingProduct(u, b(x, f8))
                        s9 = s9.addingProduct(u, b(x, f9)); s10 = s10.addingProduct(u, b(x, f10)); s11 = s11.addingProduct(u, b(x, f11))
                    }
                }
            }
            let tile = min(12, entries - e), base = dw + block * l * entries + e
            for lane in 0..<lanes {
                let row = base + lane * entries
                row[0] += s0[lane]
                if tile > 1 { row[1] += s1[lane] }; if tile > 2 { row[2] += s2[lane] }; if tile > 3 { row[3] += s3[lane] }
                if tile > 4 { row[4] += s4[lane] }; if tile > 5 { row[5] += s5[lane] }; if tile > 6 { row[6] += s6[lane] }
                if tile > 7 { row[7] += s7[lane] }; if tile > 8 { row[8] += s8[lane] }; if tile > 9 { row[9] += s9[lane] }
                if tile > 10 { row[10] += s10[lane] }; if tile > 11 { row[11] += s11[lane] }
            }
            e += 12
        }
    }
}
