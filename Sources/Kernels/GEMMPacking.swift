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
            // Twelve sequential read streams, one contiguous write stream.
            if rows == mr {
                let base = a + (i0 + i) * lda + p0
                for p in 0..<kc {
                    let d = out + p * mr
                    var s = base + p
                    for r in 0..<mr {
                        d[r] = s.pointee
                        s += lda
                    }
                }
            } else {
                for p in 0..<kc {
                    let d = out + p * mr
                    for r in 0..<rows { d[r] = a[(i0 + i + r) * lda + p0 + p] }
                    for r in rows..<mr { d[r] = 0 }
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
