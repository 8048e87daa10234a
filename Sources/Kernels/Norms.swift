/// Vector norms: ‖x‖₂, ‖x‖₁ and ‖x‖∞, on contiguous buffers.

/// Returns ‖x‖₂ = sqrt(Σᵢ xᵢ²), without overflow or underflow in the intermediate sum.
///
/// The fast path squares directly; only when Σ xᵢ² overflows, or falls below the range where
/// squares keep full precision, is the sum redone on x / ‖x‖∞ (a second pass, as in LAPACK's
/// scaled nrm2).
/// - Complexity: O(n).
@inlinable
public func nrm2<T: KernelScalar>(_ n: Int, _ x: UnsafePointer<T>) -> T {
    let ss = dot(n, x, x)
    if ss.isFinite && ss >= T.leastNormalMagnitude.squareRoot() { return ss.squareRoot() }
    let scale = amax(n, x)
    if scale == 0 || !scale.isFinite { return scale == 0 ? 0 : scale }
    let inv = 1 / scale
    let w = T.lanes
    var s0 = T.Vector(), s1 = T.Vector()
    var i = 0
    while i + 2 * w <= n {
        let u = inv * x.vector(at: i), v = inv * x.vector(at: i + w)
        s0 = s0.addingProduct(u, u)
        s1 = s1.addingProduct(v, v)
        i += 2 * w
    }
    var s = (s0 + s1).sum()
    while i < n {
        let u = inv * x[i]
        s = s.addingProduct(u, u)
        i += 1
    }
    return scale * s.squareRoot()
}

/// Returns ‖x‖₁ = Σᵢ |xᵢ|, four vector accumulators in a fixed order.
/// - Complexity: O(n).
@inlinable
public func asum<T: KernelScalar>(_ n: Int, _ x: UnsafePointer<T>) -> T {
    let w = T.lanes
    var s0 = T.Vector(), s1 = T.Vector(), s2 = T.Vector(), s3 = T.Vector()
    @inline(__always) func abs(_ v: T.Vector) -> T.Vector { T.magnitude(v) }
    var i = 0
    while i + 4 * w <= n {
        s0 += abs(x.vector(at: i))
        s1 += abs(x.vector(at: i + w))
        s2 += abs(x.vector(at: i + 2 * w))
        s3 += abs(x.vector(at: i + 3 * w))
        i += 4 * w
    }
    while i + w <= n {
        s0 += abs(x.vector(at: i))
        i += w
    }
    var s = ((s0 + s1) + (s2 + s3)).sum()
    while i < n {
        s += Swift.abs(x[i])
        i += 1
    }
    return s
}

/// Returns ‖x‖∞ = maxᵢ |xᵢ| (NaN if any entry is NaN, 0 for n = 0).
/// - Complexity: O(n).
@inlinable
public func amax<T: KernelScalar>(_ n: Int, _ x: UnsafePointer<T>) -> T {
    let w = T.lanes
    var m0 = T.Vector(), m1 = T.Vector()
    var i = 0
    while i + 2 * w <= n {
        m0 = T.maxMagnitude(m0, x.vector(at: i))
        m1 = T.maxMagnitude(m1, x.vector(at: i + w))
        i += 2 * w
    }
    m0 = T.maxMagnitude(m0, m1)
    var m: T = 0
    for lane in 0..<w {
        let a = m0[lane]
        if a.isNaN { return .nan }
        if a > m { m = a }
    }
    while i < n {
        let a = Swift.abs(x[i])
        if a.isNaN { return .nan }
        if a > m { m = a }
        i += 1
    }
    return m
}
