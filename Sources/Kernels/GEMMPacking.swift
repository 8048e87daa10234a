// Packing: copies a block of op(A) or op(B) into the order the micro-kernel reads, so the
// micro-kernel streams both operands with unit stride whatever the transposes and leading
// dimensions. Partial micro-panels are zero-padded to the full tile; the padding contributes
// exact zeros to accumulators whose results are never stored.

/// Packs op(A)[i0 ..< i0+mc, p0 ..< p0+kc] into ⌈mc/12⌉ micro-panels of kc × 12: entry (i, p)
/// of panel q lands at `q·12·kc + p·12 + (i − 12q)`.
/// - Complexity: O(⌈mc/12⌉·12·kc).
@inline(__always)
func gemmPackA<T: KernelScalar>(
    _ trans: Transpose, _ a: UnsafePointer<T>, _ lda: Int, _ i0: Int, _ p0: Int,
    _ mc: Int, _ kc: Int, _ dst: UnsafeMutablePointer<T>
) {
    let mr = gemmMR
    var i = 0
    var out = dst
    while i < mc {
        let rows = min(mr, mc - i)
        switch trans {
        case .none:
            // Rows of A are the panel's columns: 4 × 4 blocks transposed in registers.
            if rows == mr {
                let base = a + (i0 + i) * lda + p0
                var p = 0
                while p + 4 <= kc {
                    for g in 0..<(mr / 4) { gemmTranspose4(base + 4 * g * lda + p, lda, out + p * mr + 4 * g, mr) }
                    p += 4
                }
                while p < kc {
                    for r in 0..<mr { out[p * mr + r] = base[r * lda + p] }
                    p += 1
                }
            } else {
                for p in 0..<kc {
                    let d = out + p * mr
                    for r in 0..<rows { d[r] = a[(i0 + i + r) * lda + p0 + p] }
                    for r in rows..<mr { d[r] = 0 }
                }
            }
        case .transposed where rows == mr:
            // Twelve consecutive entries of a row of A per step: two vector copies.
            for p in 0..<kc {
                let s = UnsafeRawPointer(a + (p0 + p) * lda + i0 + i)
                let d = UnsafeMutableRawPointer(out + p * mr)
                d.storeBytes(of: s.loadUnaligned(as: SIMD8<T>.self), as: SIMD8<T>.self)
                (d + 8 * MemoryLayout<T>.stride).storeBytes(
                    of: (s + 8 * MemoryLayout<T>.stride).loadUnaligned(as: SIMD4<T>.self), as: SIMD4<T>.self)
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

/// Packs op(B)[p0 ..< p0+kc, j0 ..< j0+nc] into ⌈nc/NR⌉ micro-panels of kc × NR: entry (p, j)
/// of panel q lands at `q·NR·kc + p·NR + (j − NR·q)`.
/// - Complexity: O(kc·⌈nc/NR⌉·NR).
@inline(__always)
func gemmPackB<T: KernelScalar>(
    _ trans: Transpose, _ b: UnsafePointer<T>, _ ldb: Int, _ p0: Int, _ j0: Int,
    _ kc: Int, _ nc: Int, _ dst: UnsafeMutablePointer<T>
) {
    let nr = T.gemmNR, w = T.lanes
    var j = 0
    var out = dst
    while j < nc {
        let cols = min(nr, nc - j)
        switch trans {
        case .none:
            if cols == nr {
                var s = b + p0 * ldb + j0 + j
                var d = out
                for _ in 0..<kc {
                    d.store(s.vector(at: 0), at: 0)
                    d.store(s.vector(at: w), at: w)
                    s += ldb
                    d += nr
                }
            } else {
                for p in 0..<kc {
                    let s = b + (p0 + p) * ldb + j0 + j
                    let d = out + p * nr
                    for q in 0..<cols { d[q] = s[q] }
                    for q in cols..<nr { d[q] = 0 }
                }
            }
        case .transposed where cols == nr:
            // Rows of B are the panel's columns: 4 × 4 blocks transposed in registers. (A
            // strided scalar loop is vectorised into scatters, six times slower.)
            let base = b + (j0 + j) * ldb + p0
            var p = 0
            while p + 4 <= kc {
                for g in 0..<(nr / 4) { gemmTranspose4(base + 4 * g * ldb + p, ldb, out + p * nr + 4 * g, nr) }
                p += 4
            }
            while p < kc {
                for q in 0..<nr { out[p * nr + q] = base[q * ldb + p] }
                p += 1
            }
        case .transposed:
            // Column q of the panel is a contiguous row of B: read it once, write with stride NR.
            for q in 0..<cols {
                let s = b + (j0 + j + q) * ldb + p0
                var d = out + q
                for p in 0..<kc {
                    d.pointee = s[p]
                    d += nr
                }
            }
            if cols < nr {
                for p in 0..<kc {
                    let d = out + p * nr
                    for q in cols..<nr { d[q] = 0 }
                }
            }
        }
        out += nr * kc
        j += nr
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
