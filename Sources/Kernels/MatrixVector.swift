// Level-2 BLAS kernels on row-major matrices: matrix–vector products and the rank-1 update.

/// y ← α·op(A)·x + βy for a row-major m×n matrix A with leading dimension `lda` ≥ n
/// (op(A) = A: x has n entries and y has m; op(A) = Aᵀ: x has m and y has n).
///
/// β = 0 overwrites y without reading it. With op(A) = A, entry i equals
/// `α · dot(n, A[i, :], x) + βyᵢ` bit for bit (for n < 2²⁰): four rows share each load of x, and each row keeps
/// `dot`'s accumulators and order. With op(A) = Aᵀ, y is updated by four rows of A at a time,
/// rows in increasing order. From m·n = 2²⁰ on, y is split across all cores (entries of y are
/// computed alike whatever the split).
/// - Complexity: O(mn).
@inlinable
public func gemv<T: KernelScalar>(
    _ trans: Transpose, _ m: Int, _ n: Int, _ alpha: T, _ a: UnsafePointer<T>, _ lda: Int,
    _ x: UnsafePointer<T>, _ beta: T, _ y: UnsafeMutablePointer<T>
) {
    let parallel = m * n >= streamingLength
    switch trans {
    case .none:
        if !parallel { return gemvRows(m, n, alpha, a, lda, x, beta, y) }
        forEachRange(m, alignment: 4) { lo, hi in gemvRows(hi - lo, n, alpha, a + lo * lda, lda, x, beta, y + lo) }
    case .transposed:
        if !parallel { return gemvColumns(m, n, alpha, a, lda, x, beta, y) }
        forEachRange(n) { lo, hi in gemvColumns(m, hi - lo, alpha, a + lo, lda, x, beta, y + lo) }
    }
}

@inlinable @inline(__always)
func scaleAdd<T: KernelScalar>(_ alpha: T, _ s: T, _ beta: T, _ y: T) -> T {
    beta == 0 ? alpha * s : (beta * y).addingProduct(alpha, s)
}

@inlinable
func gemvRows<T: KernelScalar>(
    _ m: Int, _ n: Int, _ alpha: T, _ a: UnsafePointer<T>, _ lda: Int,
    _ x: UnsafePointer<T>, _ beta: T, _ y: UnsafeMutablePointer<T>
) {
    let w = T.lanes
    var r = 0
    while r + 4 <= m {
        let a0 = a + r * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda
        var p0 = T.Vector(), p1 = T.Vector(), p2 = T.Vector(), p3 = T.Vector()
        var q0 = T.Vector(), q1 = T.Vector(), q2 = T.Vector(), q3 = T.Vector()
        var u0 = T.Vector(), u1 = T.Vector(), u2 = T.Vector(), u3 = T.Vector()
        var v0 = T.Vector(), v1 = T.Vector(), v2 = T.Vector(), v3 = T.Vector()
        var i = 0
        while i + 4 * w <= n {
            // Four interleaved row streams: request each 4 KB (f64) ahead into L2, across the
            // page edges the hardware prefetcher stops at (f64 at 4096×4096: +15 %).
            if i + gemvPrefetchDistance < n { gemvPrefetch(a0, a1, a2, a3, at: i + gemvPrefetchDistance) }
            let x0 = x.vector(at: i), x1 = x.vector(at: i + w)
            let x2 = x.vector(at: i + 2 * w), x3 = x.vector(at: i + 3 * w)
            p0 = p0.addingProduct(a0.vector(at: i), x0); p1 = p1.addingProduct(a0.vector(at: i + w), x1)
            p2 = p2.addingProduct(a0.vector(at: i + 2 * w), x2); p3 = p3.addingProduct(a0.vector(at: i + 3 * w), x3)
            q0 = q0.addingProduct(a1.vector(at: i), x0); q1 = q1.addingProduct(a1.vector(at: i + w), x1)
            q2 = q2.addingProduct(a1.vector(at: i + 2 * w), x2); q3 = q3.addingProduct(a1.vector(at: i + 3 * w), x3)
            u0 = u0.addingProduct(a2.vector(at: i), x0); u1 = u1.addingProduct(a2.vector(at: i + w), x1)
            u2 = u2.addingProduct(a2.vector(at: i + 2 * w), x2); u3 = u3.addingProduct(a2.vector(at: i + 3 * w), x3)
            v0 = v0.addingProduct(a3.vector(at: i), x0); v1 = v1.addingProduct(a3.vector(at: i + w), x1)
            v2 = v2.addingProduct(a3.vector(at: i + 2 * w), x2); v3 = v3.addingProduct(a3.vector(at: i + 3 * w), x3)
            i += 4 * w
        }
        while i + w <= n {
            let x0 = x.vector(at: i)
            p0 = p0.addingProduct(a0.vector(at: i), x0)
            q0 = q0.addingProduct(a1.vector(at: i), x0)
            u0 = u0.addingProduct(a2.vector(at: i), x0)
            v0 = v0.addingProduct(a3.vector(at: i), x0)
            i += w
        }
        var s0 = ((p0 + p1) + (p2 + p3)).sum(), s1 = ((q0 + q1) + (q2 + q3)).sum()
        var s2 = ((u0 + u1) + (u2 + u3)).sum(), s3 = ((v0 + v1) + (v2 + v3)).sum()
        while i < n {
            s0 = s0.addingProduct(a0[i], x[i]); s1 = s1.addingProduct(a1[i], x[i])
            s2 = s2.addingProduct(a2[i], x[i]); s3 = s3.addingProduct(a3[i], x[i])
            i += 1
        }
        y[r] = scaleAdd(alpha, s0, beta, y[r])
        y[r + 1] = scaleAdd(alpha, s1, beta, y[r + 1])
        y[r + 2] = scaleAdd(alpha, s2, beta, y[r + 2])
        y[r + 3] = scaleAdd(alpha, s3, beta, y[r + 3])
        r += 4
    }
    while r < m {
        y[r] = scaleAdd(alpha, dotSerial(n, a + r * lda, x), beta, y[r])
        r += 1
    }
}

@inlinable
func gemvColumns<T: KernelScalar>(
    _ m: Int, _ n: Int, _ alpha: T, _ a: UnsafePointer<T>, _ lda: Int,
    _ x: UnsafePointer<T>, _ beta: T, _ y: UnsafeMutablePointer<T>
) {
    if beta == 0 { fill(n, 0, y) } else if beta != 1 { scal(n, beta, y) }
    let w = T.lanes
    var r = 0
    // Four rows per sweep: y is read and written once per four rows of A instead of once per row.
    while r + 4 <= m {
        let a0 = a + r * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda
        let c0 = alpha * x[r], c1 = alpha * x[r + 1], c2 = alpha * x[r + 2], c3 = alpha * x[r + 3]
        var j = 0
        while j + w <= n {
            if j + gemvPrefetchDistance < n { gemvPrefetch(a0, a1, a2, a3, at: j + gemvPrefetchDistance) }
            var v = y.vector(at: j)
            v = v.addingProduct(c0, a0.vector(at: j))
            v = v.addingProduct(c1, a1.vector(at: j))
            v = v.addingProduct(c2, a2.vector(at: j))
            v = v.addingProduct(c3, a3.vector(at: j))
            y.store(v, at: j)
            j += w
        }
        while j < n {
            var v = y[j]
            v = v.addingProduct(c0, a0[j])
            v = v.addingProduct(c1, a1[j])
            v = v.addingProduct(c2, a2[j])
            v = v.addingProduct(c3, a3[j])
            y[j] = v
            j += 1
        }
        r += 4
    }
    while r < m {
        axpySerial(n, alpha * x[r], a + r * lda, y)
        r += 1
    }
}

/// A ← A + α x yᵀ for a row-major m×n matrix A with leading dimension `lda` ≥ n
/// (x has m entries, y has n).
/// - Complexity: O(mn).
@inlinable
public func ger<T: KernelScalar>(
    _ m: Int, _ n: Int, _ alpha: T, _ x: UnsafePointer<T>, _ y: UnsafePointer<T>,
    _ a: UnsafeMutablePointer<T>, _ lda: Int
) {
    for i in 0..<m { axpy(n, alpha * x[i], y, a + i * lda) }
}

/// Elements ahead of the current position at which the GEMV loops prefetch each row of A.
@usableFromInline let gemvPrefetchDistance = 512

/// Requests the line at element `i` of each of four rows of A into L2 (`prefetcht2`).
@inlinable @inline(__always)
func gemvPrefetch<T>(_ a0: UnsafePointer<T>, _ a1: UnsafePointer<T>, _ a2: UnsafePointer<T>, _ a3: UnsafePointer<T>, at i: Int) {
    _llvmPrefetch(UnsafeRawPointer(a0 + i), 0, 1, 1)
    _llvmPrefetch(UnsafeRawPointer(a1 + i), 0, 1, 1)
    _llvmPrefetch(UnsafeRawPointer(a2 + i), 0, 1, 1)
    _llvmPrefetch(UnsafeRawPointer(a3 + i), 0, 1, 1)
}
