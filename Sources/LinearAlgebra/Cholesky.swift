import OptBenchKernels

/// The Cholesky factorisation A = LLᵀ of a symmetric positive definite matrix, for solving
/// the normal equations of reference solutions (least squares, Newton steps).
///
/// - Complexity: d³/3 multiply-adds to factor, d² per solve.
public struct Cholesky: Sendable {
    public let dimension: Int
    /// L, row-major d×d, lower triangle (the upper is zero).
    public let factor: [Double]

    /// Factors the row-major `a` (only its lower triangle is read); nil when a pivot is not
    /// positive, i.e. A is not positive definite to working precision.
    public init?(_ a: [Double], dimension d: Int) {
        precondition(a.count == d * d)
        dimension = d
        var l = [Double](repeating: 0, count: d * d)
        let ok = l.withUnsafeMutableBufferPointer { lp -> Bool in
            let p = lp.baseAddress!
            for i in 0..<d {
                for j in 0...i {
                    // Row prefixes of L are contiguous: each entry is one dot product.
                    let s = a[i * d + j] - dot(j, p + i * d, p + j * d)
                    if i == j {
                        guard s > 0, s.isFinite else { return false }
                        p[i * d + i] = s.squareRoot()
                    } else {
                        p[i * d + j] = s / p[j * d + j]
                    }
                }
            }
            return true
        }
        guard ok else { return nil }
        factor = l
    }

    /// x with A·x = b.
    public func solve(_ b: [Double]) -> [Double] {
        let d = dimension
        precondition(b.count == d)
        var x = b
        factor.withUnsafeBufferPointer { lp in
            let l = lp.baseAddress!
            for i in 0..<d { x[i] = (x[i] - x.withUnsafeBufferPointer { dot(i, l + i * d, $0.baseAddress!) }) / l[i * d + i] }
            var i = d - 1
            while i >= 0 {
                var s = x[i]
                for k in (i + 1)..<max(i + 1, d) { s -= l[k * d + i] * x[k] }
                x[i] = s / l[i * d + i]
                i -= 1
            }
        }
        return x
    }
}
