// The GEMM micro-kernel: the only code that knows the register tile.
//
// A 12 × 2w tile of C (w = lanes of a 512-bit vector: 12×32 for Float, 12×16 for Double) lives
// in 24 vector accumulators; each step of k loads two vectors of the packed B micro-panel and
// broadcasts twelve entries of the packed A micro-panel. 24 accumulators + 2 B vectors + a
// broadcast fill 27 of the 32 AVX-512 registers, so nothing spills.

/// Rows of the register tile.
@usableFromInline let gemmMR = 12

extension KernelScalar {
    /// Columns of the register tile: two vectors.
    @inlinable static var gemmNR: Int { 2 * lanes }
}

/// C[0..<12, 0..<NR] ← α · Ã B̃ + β C for packed micro-panels Ã (kc × 12, column of A per step)
/// and B̃ (kc × NR, row of B per step), C row-major with leading dimension `ldc`.
///
/// β = 0 stores α·ÃB̃ without reading C. Every entry is one fused multiply-add chain over
/// k = 0..<kc in increasing order, finished by `(α·s).addingProduct(β, c)` — the same arithmetic
/// as the edge-tile path, so a result never depends on where its tile falls.
/// - Complexity: O(kc).
@inline(__always)
func gemmMicroKernel<T: KernelScalar>(
    _ kc: Int, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>,
    _ alpha: T, _ beta: T, _ c: UnsafeMutablePointer<T>, _ ldc: Int
) {
    let w = T.lanes
    var c0a = T.Vector(), c0b = T.Vector(), c1a = T.Vector(), c1b = T.Vector()
    var c2a = T.Vector(), c2b = T.Vector(), c3a = T.Vector(), c3b = T.Vector()
    var c4a = T.Vector(), c4b = T.Vector(), c5a = T.Vector(), c5b = T.Vector()
    var c6a = T.Vector(), c6b = T.Vector(), c7a = T.Vector(), c7b = T.Vector()
    var c8a = T.Vector(), c8b = T.Vector(), c9a = T.Vector(), c9b = T.Vector()
    var c10a = T.Vector(), c10b = T.Vector(), c11a = T.Vector(), c11b = T.Vector()
    // The C tile is read (β ≠ 0) or written only after the kc steps; request its lines now so a
    // product larger than the caches does not wait for them then (twelve rows, each 2·64 bytes).
    for r in 0..<gemmMR {
        let row = UnsafeRawPointer(c + r * ldc)
        _llvmPrefetch(row, 1, 2, 1)
        _llvmPrefetch(row + 64, 1, 2, 1)
    }
    var pa = a, pb = b
    for _ in 0..<kc {
        let b0 = pb.vector(at: 0), b1 = pb.vector(at: w)
        var x = T.Vector(repeating: pa[0])
        c0a = c0a.addingProduct(x, b0); c0b = c0b.addingProduct(x, b1)
        x = T.Vector(repeating: pa[1])
        c1a = c1a.addingProduct(x, b0); c1b = c1b.addingProduct(x, b1)
        x = T.Vector(repeating: pa[2])
        c2a = c2a.addingProduct(x, b0); c2b = c2b.addingProduct(x, b1)
        x = T.Vector(repeating: pa[3])
        c3a = c3a.addingProduct(x, b0); c3b = c3b.addingProduct(x, b1)
        x = T.Vector(repeating: pa[4])
        c4a = c4a.addingProduct(x, b0); c4b = c4b.addingProduct(x, b1)
        x = T.Vector(repeating: pa[5])
        c5a = c5a.addingProduct(x, b0); c5b = c5b.addingProduct(x, b1)
        x = T.Vector(repeating: pa[6])
        c6a = c6a.addingProduct(x, b0); c6b = c6b.addingProduct(x, b1)
        x = T.Vector(repeating: pa[7])
        c7a = c7a.addingProduct(x, b0); c7b = c7b.addingProduct(x, b1)
        x = T.Vector(repeating: pa[8])
        c8a = c8a.addingProduct(x, b0); c8b = c8b.addingProduct(x, b1)
        x = T.Vector(repeating: pa[9])
        c9a = c9a.addingProduct(x, b0); c9b = c9b.addingProduct(x, b1)
        x = T.Vector(repeating: pa[10])
        c10a = c10a.addingProduct(x, b0); c10b = c10b.addingProduct(x, b1)
        x = T.Vector(repeating: pa[11])
        c11a = c11a.addingProduct(x, b0); c11b = c11b.addingProduct(x, b1)
        pa += gemmMR
        pb += 2 * w
    }
    @inline(__always) func put(_ r: Int, _ u: T.Vector, _ v: T.Vector) {
        let row = c + r * ldc
        if beta == 0 {
            row.store(alpha * u, at: 0)
            row.store(alpha * v, at: w)
        } else {
            row.store((alpha * u).addingProduct(beta, row.vector(at: 0)), at: 0)
            row.store((alpha * v).addingProduct(beta, row.vector(at: w)), at: w)
        }
    }
    put(0, c0a, c0b); put(1, c1a, c1b); put(2, c2a, c2b); put(3, c3a, c3b)
    put(4, c4a, c4b); put(5, c5a, c5b); put(6, c6a, c6b); put(7, c7a, c7b)
    put(8, c8a, c8b); put(9, c9a, c9b); put(10, c10a, c10b); put(11, c11a, c11b)
}
