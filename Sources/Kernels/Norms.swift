// Vector norms: ‖x‖₂, ‖x‖₁ and ‖x‖∞, on contiguous buffers.

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

/// Returns ‖x‖₁ = Σᵢ |xᵢ|, four vector accumulators in a fixed order; from n = 2²⁰ on, over
/// fixed blocks of 2¹⁶ entries on all cores, added in order (as `dot`).
/// - Complexity: O(n).
@inlinable
public func asum<T: KernelScalar>(_ n: Int, _ x: UnsafePointer<T>) -> T {
    if n < streamingLength { return asumSerial(n, x) }
    let blocks = (n + dotBlockLength - 1) / dotBlockLength
    return withUnsafeTemporaryAllocation(of: T.self, capacity: blocks) { partial in
        forEachRange(blocks, alignment: 1) { lo, hi in
            for b in lo..<hi {
                let start = b * dotBlockLength
                partial[b] = asumSerial(min(dotBlockLength, n - start), x + start)
            }
        }
        var s: T = 0
        for b in 0..<blocks { s += partial[b] }
        return s
    }
}

@inlinable
func asumSerial<T: KernelScalar>(_ n: Int, _ x: UnsafePointer<T>) -> T {
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

/// Returns ‖x‖∞ = maxᵢ |xᵢ| (NaN if any entry is NaN, 0 for n = 0); on all cores from
/// n = 2²⁰ on (a maximum does not depend on the split).
/// - Complexity: O(n).
@inlinable
public func amax<T: KernelScalar>(_ n: Int, _ x: UnsafePointer<T>) -> T {
    if n < streamingLength { return amaxSerial(n, x) }
    let parts = 2 * availableThreads
    return withUnsafeTemporaryAllocation(of: T.self, capacity: parts) { partial in
        partial.initialize(repeating: 0)
        forEachRange(parts, alignment: 1) { lo, hi in
            for p in lo..<hi {
                let start = n * p / parts, end = n * (p + 1) / parts
                partial[p] = amaxSerial(end - start, x + start)
            }
        }
        var m: T = 0
        for p in 0..<parts {
            if partial[p].isNaN { return .nan }
            if partial[p] > m { m = partial[p] }
        }
        return m
    }
}

@inlinable
func amaxSerial<T: KernelScalar>(_ n: Int, _ x: UnsafePointer<T>) -> T {
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
