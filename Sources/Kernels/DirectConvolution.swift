// Direct stride-1 "same" convolutions (2p = k − 1: 3×3 with padding 1, 1×1 without): no col
// matrix. The input is copied once into a zero-bordered plane of width W_p = W + 2p, in which
// the patch entry (c, i, j) of output position q = h·W_p + w is at c·H_p·W_p + i·W_p + j + q —
// a fixed offset per entry. So each step of the product reads one contiguous vector of
// positions, and the outputs come out on the W_p-wide grid, whose last 2p columns per row are
// discarded. The register tile is 16 output channels × one vector of positions, which fits
// the 16, 32 and 64 channels of a ResNet with no padding rows.

/// Rows of the direct-convolution register tile (output channels per block).
public let directConvolutionRows = 16

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
            copyVector(g.width, src + h * g.width, row)
            // The right border of this row and the left border of the next are adjacent.
            fill(2 * p, 0, row + g.width)
        }
        fill(p * wp - p + T.lanes, 0, dst + (hp - p) * wp + p)
    }
    fill(T.lanes, 0, xp + g.channels * plane)
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
/// output row h of channel o is out[o·ldout + h·W_p ..< … + W]. `ldout` ≥ `gridStride`.
/// - Complexity: O(⌈O/16⌉·16·C·k²·gridStride).
@inlinable
public func directConvolution<T: KernelScalar>(_ g: ConvolutionGeometry, outputs: Int, _ packed: UnsafePointer<T>,
                                               _ xp: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, ldout: Int) {
    let k = g.kernel, wp = g.paddedWidth, plane = g.paddedPlane(T.self), r = directConvolutionRows
    let grid = g.gridCount, entries = g.patchSize, w = T.lanes
    for block in 0..<((outputs + r - 1) / r) {
        let weights = packed + block * entries * r
        let rowBase = out + block * r * ldout
        var q = 0
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

/// dW[o, (c·k + i)·k + j] += Σ_s Σ_q dyg_s[o, q]·xp_s[c, q + i·W_p + j] over the grid positions q of
/// `samples` samples: xp_s = xp + s·`paddedCount` is the padded input of sample s (`padImage`),
/// dyg_s = dyg + s·`dyStride` its output gradient on the same W_p-wide grid, row o at
/// dyg_s + o·`paddedPlane`, zero in the discarded columns and for a vector past the grid (as a
/// padded plane of ∂f/∂y offset by p·W_p + p is). dW is O × C·k², leading dimension C·k².
/// Tiles of 4 channels × 6 entries keep 24 vector sums over whole vectors of positions of all
/// the samples, reduced across lanes once at the end.
/// - Complexity: O(samples·O·C·k²·gridStride).
@inlinable
public func directConvolutionWeightGradient<T: KernelScalar>(_ g: ConvolutionGeometry, outputs: Int, samples: Int,
                                                             _ dyg: UnsafePointer<T>, dyStride: Int,
                                                             _ xp: UnsafePointer<T>, _ dw: UnsafeMutablePointer<T>) {
    let k = g.kernel, wp = g.paddedWidth, plane = g.paddedPlane(T.self), xStride = g.paddedCount(T.self)
    let entries = g.patchSize, w = T.lanes, grid = g.gridStride(T.self)
    @inline(__always) func offset(_ e: Int) -> Int { e / (k * k) * plane + e / k % k * wp + e % k }
    var o = 0
    while o + 4 <= outputs {
        var e = 0
        while e + 6 <= entries {
            let (f0, f1, f2, f3, f4, f5) = (offset(e), offset(e + 1), offset(e + 2), offset(e + 3), offset(e + 4), offset(e + 5))
            var s00 = T.Vector(), s01 = T.Vector(), s02 = T.Vector(), s03 = T.Vector(), s04 = T.Vector(), s05 = T.Vector()
            var s10 = T.Vector(), s11 = T.Vector(), s12 = T.Vector(), s13 = T.Vector(), s14 = T.Vector(), s15 = T.Vector()
            var s20 = T.Vector(), s21 = T.Vector(), s22 = T.Vector(), s23 = T.Vector(), s24 = T.Vector(), s25 = T.Vector()
            var s30 = T.Vector(), s31 = T.Vector(), s32 = T.Vector(), s33 = T.Vector(), s34 = T.Vector(), s35 = T.Vector()
            for s in 0..<samples {
                let x = xp + s * xStride, d0 = dyg + s * dyStride + o * plane, d1 = d0 + plane, d2 = d1 + plane, d3 = d2 + plane
                let x0 = x + f0, x1 = x + f1, x2 = x + f2, x3 = x + f3, x4 = x + f4, x5 = x + f5
                var q = 0
                while q < grid {
                    let v0 = x0.vector(at: q), v1 = x1.vector(at: q), v2 = x2.vector(at: q)
                    let v3 = x3.vector(at: q), v4 = x4.vector(at: q), v5 = x5.vector(at: q)
                    var u = d0.vector(at: q)
                    s00 = s00.addingProduct(u, v0); s01 = s01.addingProduct(u, v1); s02 = s02.addingProduct(u, v2)
                    s03 = s03.addingProduct(u, v3); s04 = s04.addingProduct(u, v4); s05 = s05.addingProduct(u, v5)
                    u = d1.vector(at: q)
                    s10 = s10.addingProduct(u, v0); s11 = s11.addingProduct(u, v1); s12 = s12.addingProduct(u, v2)
                    s13 = s13.addingProduct(u, v3); s14 = s14.addingProduct(u, v4); s15 = s15.addingProduct(u, v5)
                    u = d2.vector(at: q)
                    s20 = s20.addingProduct(u, v0); s21 = s21.addingProduct(u, v1); s22 = s22.addingProduct(u, v2)
                    s23 = s23.addingProduct(u, v3); s24 = s24.addingProduct(u, v4); s25 = s25.addingProduct(u, v5)
                    u = d3.vector(at: q)
                    s30 = s30.addingProduct(u, v0); s31 = s31.addingProduct(u, v1); s32 = s32.addingProduct(u, v2)
                    s33 = s33.addingProduct(u, v3); s34 = s34.addingProduct(u, v4); s35 = s35.addingProduct(u, v5)
                    q += w
                }
            }
            let row = dw + o * entries + e
            row[0] += s00.sum(); row[1] += s01.sum(); row[2] += s02.sum(); row[3] += s03.sum(); row[4] += s04.sum(); row[5] += s05.sum()
            let row1 = row + entries
            row1[0] += s10.sum(); row1[1] += s11.sum(); row1[2] += s12.sum(); row1[3] += s13.sum(); row1[4] += s14.sum(); row1[5] += s15.sum()
            let row2 = row1 + entries
            row2[0] += s20.sum(); row2[1] += s21.sum(); row2[2] += s22.sum(); row2[3] += s23.sum(); row2[4] += s24.sum(); row2[5] += s25.sum()
            let row3 = row2 + entries
            row3[0] += s30.sum(); row3[1] += s31.sum(); row3[2] += s32.sum(); row3[3] += s33.sum(); row3[4] += s34.sum(); row3[5] += s35.sum()
            e += 6
        }
        for e in e..<entries {
            for r in 0..<4 { dw[(o + r) * entries + e] += directDot(g, samples, dyg + (o + r) * plane, dyStride, xp + offset(e)) }
        }
        o += 4
    }
    for o in o..<outputs { for e in 0..<entries { dw[o * entries + e] += directDot(g, samples, dyg + o * plane, dyStride, xp + offset(e)) } }
}

/// Σ_s Σ_q dyg_s[q]·xp_s[q] over whole vectors of the grid (one vector sum, then its lanes).
@inlinable @inline(__always)
func directDot<T: KernelScalar>(_ g: ConvolutionGeometry, _ samples: Int, _ dyg: UnsafePointer<T>, _ dyStride: Int, _ xp: UnsafePointer<T>) -> T {
    let w = T.lanes, grid = g.gridStride(T.self), xStride = g.paddedCount(T.self)
    var v = T.Vector()
    for s in 0..<samples {
        let a = dyg + s * dyStride, b = xp + s * xStride
        var q = 0
        while q < grid { v = v.addingProduct(a.vector(at: q), b.vector(at: q)); q += w }
    }
    return v.sum()
}
