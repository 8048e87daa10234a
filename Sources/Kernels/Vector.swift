// Level-1 BLAS kernels on contiguous, unit-stride buffers, generic over `Float` and `Double`.
//
// Every loop runs on full 512-bit vectors with a scalar tail. Reductions keep four vector
// accumulators combined in a fixed order, so a result depends only on `n` and the data — never
// on alignment or thread count.

/// Returns xᵀy = Σᵢ xᵢ yᵢ.
///
/// Four vector accumulators take every fourth vector, then `(s₀ + s₁) + (s₂ + s₃)` is summed
/// across lanes and the scalar tail is added last; `gemv(.none, …)` reproduces this order.
/// From n = 2²⁰ on, x and y are cut into fixed blocks of 2¹⁶ entries, summed this way on all
/// cores and then added block by block in order: the result depends on n, never on threads.
/// - Complexity: O(n).
@inlinable
public func dot<T: KernelScalar>(_ n: Int, _ x: UnsafePointer<T>, _ y: UnsafePointer<T>) -> T {
    if n < streamingLength { return dotSerial(n, x, y) }
    let blocks = (n + dotBlockLength - 1) / dotBlockLength
    return withUnsafeTemporaryAllocation(of: T.self, capacity: blocks) { partial in
        forEachRange(blocks, alignment: 1) { lo, hi in
            for b in lo..<hi {
                let start = b * dotBlockLength
                partial[b] = dotSerial(min(dotBlockLength, n - start), x + start, y + start)
            }
        }
        var s: T = 0
        for b in 0..<blocks { s += partial[b] }
        return s
    }
}

@inlinable
func dotSerial<T: KernelScalar>(_ n: Int, _ x: UnsafePointer<T>, _ y: UnsafePointer<T>) -> T {
    let w = T.lanes
    var s0 = T.Vector(), s1 = T.Vector(), s2 = T.Vector(), s3 = T.Vector()
    var i = 0
    while i + 4 * w <= n {
        s0 = s0.addingProduct(x.vector(at: i), y.vector(at: i))
        s1 = s1.addingProduct(x.vector(at: i + w), y.vector(at: i + w))
        s2 = s2.addingProduct(x.vector(at: i + 2 * w), y.vector(at: i + 2 * w))
        s3 = s3.addingProduct(x.vector(at: i + 3 * w), y.vector(at: i + 3 * w))
        i += 4 * w
    }
    while i + w <= n {
        s0 = s0.addingProduct(x.vector(at: i), y.vector(at: i))
        i += w
    }
    var s = ((s0 + s1) + (s2 + s3)).sum()
    while i < n {
        s = s.addingProduct(x[i], y[i])
        i += 1
    }
    return s
}

/// y ← αx + y (on all cores from n = 2¹⁶ on).
/// - Complexity: O(n).
@inlinable
public func axpy<T: KernelScalar>(_ n: Int, _ alpha: T, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>) {
    forEachElementwiseRange(n) { lo, hi in axpySerial(hi - lo, alpha, x + lo, y + lo) }
}

@inlinable
func axpySerial<T: KernelScalar>(_ n: Int, _ alpha: T, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>) {
    let w = T.lanes
    var i = 0
    while i + 2 * w <= n {
        y.store(y.vector(at: i).addingProduct(alpha, x.vector(at: i)), at: i)
        y.store(y.vector(at: i + w).addingProduct(alpha, x.vector(at: i + w)), at: i + w)
        i += 2 * w
    }
    while i + w <= n {
        y.store(y.vector(at: i).addingProduct(alpha, x.vector(at: i)), at: i)
        i += w
    }
    while i < n {
        y[i] = y[i].addingProduct(alpha, x[i])
        i += 1
    }
}

/// y ← αx + βy (β = 0 overwrites y without reading it, so NaNs in y do not survive; on all
/// cores from n = 2¹⁶ on).
/// - Complexity: O(n).
@inlinable
public func axpby<T: KernelScalar>(
    _ n: Int, _ alpha: T, _ x: UnsafePointer<T>, _ beta: T, _ y: UnsafeMutablePointer<T>
) {
    forEachElementwiseRange(n) { lo, hi in axpbySerial(hi - lo, alpha, x + lo, beta, y + lo) }
}

@inlinable
func axpbySerial<T: KernelScalar>(
    _ n: Int, _ alpha: T, _ x: UnsafePointer<T>, _ beta: T, _ y: UnsafeMutablePointer<T>
) {
    if beta == 0 {
        let w = T.lanes
        var i = 0
        while i + w <= n {
            y.store(alpha * x.vector(at: i), at: i)
            i += w
        }
        while i < n {
            y[i] = alpha * x[i]
            i += 1
        }
        return
    }
    let w = T.lanes
    var i = 0
    while i + w <= n {
        y.store((beta * y.vector(at: i)).addingProduct(alpha, x.vector(at: i)), at: i)
        i += w
    }
    while i < n {
        y[i] = (beta * y[i]).addingProduct(alpha, x[i])
        i += 1
    }
}

/// x ← αx.
/// - Complexity: O(n).
@inlinable
public func scal<T: KernelScalar>(_ n: Int, _ alpha: T, _ x: UnsafeMutablePointer<T>) {
    let w = T.lanes
    var i = 0
    while i + w <= n {
        x.store(alpha * x.vector(at: i), at: i)
        i += w
    }
    while i < n {
        x[i] *= alpha
        i += 1
    }
}

/// x ← α for every entry.
/// - Complexity: O(n).
@inlinable
public func fill<T: KernelScalar>(_ n: Int, _ alpha: T, _ x: UnsafeMutablePointer<T>) {
    let w = T.lanes
    let v = T.Vector(repeating: alpha)
    var i = 0
    while i + w <= n {
        x.store(v, at: i)
        i += w
    }
    while i < n {
        x[i] = alpha
        i += 1
    }
}
