// Packing: copies a block of op(A) or op(B) into the order the micro-kernel reads, so the
// micro-kernel streams both operands with unit stride whatever the transposes and leading
// dimensions. Partial micro-panels are zero-padded to the full tile; the padding contributes
// exact zeros to accumulators whose results are never stored.

/// Packs op(A)[i0 ..< i0+mc, p0 ..< p0+kc] into ⌈mc/MR⌉ micro-panels of kc × MR (MR = `Tile.mr`):
/// entry (i, p) of panel q lands at `q·MR·kc + p·MR + (i − MR·q)`.
/// - Complexity: O(⌈mc/MR⌉·MR·kc).
@inline(__always)
func gemmPackA<T: KernelScalar, Tile: GEMMTile>(
    _: Tile.Type, _ trans: Transpose, _ a: UnsafePointer<T>, _ lda: Int, _ i0: Int, _ p0: Int,
    _ mc: Int, _ kc: Int, _ dst: UnsafeMutablePointer<T>
) where Tile.Scalar == T {
    let mr = Tile.mr
    var i = 0
    var out = dst
    while i < mc {
        let rows = min(mr, mc - i)
        switch trans {
        case .none:
            gemmPackRows(a + (i0 + i) * lda + p0, lda, rows, kc, out, mr)
        case .transposed where rows == mr && (mr == 12 || mr == 6):
            // MR consecutive entries of a row of A per step: two vector copies (8 + 4 or 4 + 2).
            for p in 0..<kc {
                let s = UnsafeRawPointer(a + (p0 + p) * lda + i0 + i)
                let d = UnsafeMutableRawPointer(out + p * mr)
                if mr == 12 {
                    d.storeBytes(of: s.loadUnaligned(as: SIMD8<T>.self), as: SIMD8<T>.self)
                    (d + 8 * MemoryLayout<T>.stride).storeBytes(
                        of: (s + 8 * MemoryLayout<T>.stride).loadUnaligned(as: SIMD4<T>.self), as: SIMD4<T>.self)
                } else {
                    d.storeBytes(of: s.loadUnaligned(as: SIMD4<T>.self), as: SIMD4<T>.self)
                    (d + 4 * MemoryLayout<T>.stride).storeBytes(
                        of: (s + 4 * MemoryLayout<T>.stride).loadUnaligned(as: SIMD2<T>.self), as: SIMD2<T>.self)
                }
            }
        case .transposed:
            for p in 0..<kc {
                let s = a + (p0 + p) * lda + i0 + i
                let d = out + p * mr
                for r in 0..<rows { d[r] = s[r] }
                for r in rows..<mr { d[r] = 0 }
            }
        }
        out += mr * kc
        i += mr
    }
}

/// Packs op(B)[p0 ..< p0+kc, j0 ..< j0+nc] into ⌈nc/NR⌉ micro-panels of kc × NR (NR =
/// `Tile.nr`): entry (p, j) of panel q lands at `q·NR·kc + p·NR + (j − NR·q)`. With `rows` (a
/// plain B only), row p of B is the stored row `rows[p]`.
/// - Complexity: O(kc·⌈nc/NR⌉·NR).
@inline(__always)
func gemmPackB<T: KernelScalar, Tile: GEMMTile>(
    _: Tile.Type, _ trans: Transpose, _ b: UnsafePointer<T>, _ ldb: Int, _ p0: Int, _ j0: Int,
    _ kc: Int, _ nc: Int, _ dst: UnsafeMutablePointer<T>, rows index: UnsafePointer<Int>? = nil
) where Tile.Scalar == T {
    let nr = Tile.nr, w = Tile.lanes
    @inline(__always) func row(_ p: Int) -> UnsafePointer<T> { b + (index.map { $0[p] } ?? p) * ldb }
    var j = 0
    var out = dst
    while j < nc {
        let cols = min(nr, nc - j)
        switch trans {
        case .none:
            if cols == nr {
                var d = out
                for p in p0..<(p0 + kc) {
                    let s = row(p) + j0 + j
                    d.store(s.load(Tile.V.self, at: 0), at: 0)
                    d.store(s.load(Tile.V.self, at: w), at: w)
                    d += nr
                }
            } else {
                for p in 0..<kc {
                    let s = row(p0 + p) + j0 + j
                    let d = out + p * nr
                    for q in 0..<cols { d[q] = s[q] }
                    for q in cols..<nr { d[q] = 0 }
                }
            }
        case .transposed:
            gemmPackRows(b + (j0 + j) * ldb + p0, ldb, cols, kc, out, nr)
        }
        out += nr * kc
        j += nr
    }
}

/// dst[p·width + r] ← src[r·ld + p] for r < rows, p < kc, and 0 for rows ≤ r < width: `rows`
/// rows of a matrix, contiguous along k, become the columns of a kc × width micro-panel.
///
/// A whole micro-panel of B goes L × L blocks at a time through `transposeBlock` (L = lanes);
/// other blocks 4 × 4 at a time, four rows for each four steps of k: the compiler vectorises a
/// strided scalar loop into scatters, far slower.
/// - Complexity: O(kc·width).
@inline(__always)
func gemmPackRows<T: KernelScalar>(
    _ src: UnsafePointer<T>, _ ld: Int, _ rows: Int, _ kc: Int, _ dst: UnsafeMutablePointer<T>, _ width: Int
) {
    if rows < width { dst.update(repeating: 0, count: kc * width) }
    let l = T.lanes
    var p = 0
    if width % l == 0 && rows == width {
        // A whole panel of B: L × L blocks through the vector registers, L steps of k at a time.
        while p + l <= kc {
            var r = 0
            while r < width {
                T.transposeBlock(src + r * ld + p, ld, dst + p * width + r, width)
                r += l
            }
            p += l
        }
    }
    let whole = rows / 4 * 4
    while p + 4 <= kc {
        var r = 0
        while r < whole {
            gemmTranspose4(src + r * ld + p, ld, dst + p * width + r, width)
            r += 4
        }
        p += 4
    }
    for r in 0..<whole {
        for q in p..<kc { dst[q * width + r] = src[r * ld + q] }
    }
    for r in whole..<rows {
        for q in 0..<kc { dst[q * width + r] = src[r * ld + q] }
    }
}

/// dst[t·ldd + r] ← src[r·ld + t] for r, t in 0..<4: one 4 × 4 block transposed through
/// registers (four vector loads, eight shuffles, four vector stores).
/// - Complexity: O(1).
@inline(__always)
func gemmTranspose4<T: KernelScalar>(_ src: UnsafePointer<T>, _ ld: Int, _ dst: UnsafeMutablePointer<T>, _ ldd: Int) {
    @inline(__always) func load(_ r: Int) -> SIMD4<T> { UnsafeRawPointer(src + r * ld).loadUnaligned(as: SIMD4<T>.self) }
    @inline(__always) func store(_ t: Int, _ v: SIMD4<T>) {
        UnsafeMutableRawPointer(dst + t * ldd).storeBytes(of: v, as: SIMD4<T>.self)
    }
    let r0 = load(0), r1 = load(1), r2 = load(2), r3 = load(3)
    let lo01 = SIMD4(r0[0], r1[0], r0[1], r1[1]), hi01 = SIMD4(r0[2], r1[2], r0[3], r1[3])
    let lo23 = SIMD4(r2[0], r3[0], r2[1], r3[1]), hi23 = SIMD4(r2[2], r3[2], r2[3], r3[3])
    store(0, SIMD4(lo01[0], lo01[1], lo23[0], lo23[1]))
    store(1, SIMD4(lo01[2], lo01[3], lo23[2], lo23[3]))
    store(2, SIMD4(hi01[0], hi01[1], hi23[0], hi23[1]))
    store(3, SIMD4(hi01[2], hi01[3], hi23[2], hi23[3]))
}
