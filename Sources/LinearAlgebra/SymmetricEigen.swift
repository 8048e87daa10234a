import OptBenchKernels

/// The eigendecomposition A = Q·diag(λ)·Qᵀ of a dense real symmetric matrix, exact to working
/// precision.
///
/// Householder reduction to tridiagonal form T = PᵀAP, then the implicit symmetric QL
/// algorithm with Wilkinson shifts on T (the EISPACK `tred2`/`tql2` pair, as in JAMA). Every
/// eigenvalue is accurate to a few ε·‖A‖₂ in absolute terms, so tiny eigenvalues of an
/// ill-conditioned matrix are accurate only relative to λmax. Used for the spectrum of
/// H = XᵀX/n (L = λmax, μ = λmin, κ, κ_D of the survey's Appendix C) when d is at most a
/// few thousand; `Lanczos` serves larger d.
///
/// - Complexity: O(d³) time: ≈ (4/3)d³ flops for the reduction, as much again with
///   eigenvectors, plus O(d²) per QL sweep (O(d³) with eigenvectors). O(d²) memory.
public struct SymmetricEigen: Sendable {
    public let dimension: Int
    /// λ₁ ≥ λ₂ ≥ … ≥ λ_d.
    public let eigenvalues: [Double]
    /// d×d row-major, row k a unit eigenvector for `eigenvalues[k]`; nil unless requested.
    public let eigenvectors: [Double]?

    /// Decomposes the symmetric d×d row-major matrix `a` (only its upper triangle, a[i·d + j] with j ≥ i, is read).
    public init(symmetric a: [Double], dimension d: Int, computeVectors: Bool = false) {
        precondition(a.count == d * d, "\(a.count) entries for a \(d)×\(d) matrix")
        precondition(a.allSatisfy(\.isFinite), "SymmetricEigen needs a finite matrix")
        dimension = d
        guard d > 0 else {
            eigenvalues = []
            eigenvectors = computeVectors ? [] : nil
            return
        }
        // The working array is read as V(r, c) = v[c·d + r]: the algorithm's inner loops run
        // down columns, which this layout makes contiguous; A is symmetric, so a copy serves.
        var v = a
        var diag = [Double](repeating: 0, count: d)
        var off = [Double](repeating: 0, count: d)
        v.withUnsafeMutableBufferPointer { vp in
            diag.withUnsafeMutableBufferPointer { dp in
                off.withUnsafeMutableBufferPointer { ep in
                    householderTridiagonalize(d, vp.baseAddress!, dp.baseAddress!, ep.baseAddress!, accumulate: computeVectors)
                    tridiagonalQL(d, dp.baseAddress!, ep.baseAddress!, computeVectors ? vp.baseAddress! : nil)
                }
            }
        }
        (eigenvalues, eigenvectors) = Self.sortedDecreasing(d, diag, computeVectors ? v : nil)
    }

    /// Decomposes the symmetric d×d `matrix`.
    public init(symmetric matrix: Matrix<Double>, computeVectors: Bool = false) {
        precondition(matrix.rows == matrix.columns, "\(matrix.rows)×\(matrix.columns) is not square")
        self.init(symmetric: Array(matrix.storage), dimension: matrix.rows, computeVectors: computeVectors)
    }

    /// Decomposes the symmetric tridiagonal matrix with the given diagonal (d entries) and
    /// off-diagonal (d − 1 entries, T[i+1, i] = offDiagonal[i]); the QL stage alone.
    public init(tridiagonal diagonal: [Double], offDiagonal: [Double], computeVectors: Bool = false) {
        let d = diagonal.count
        precondition(offDiagonal.count == max(0, d - 1), "\(offDiagonal.count) off-diagonal entries for d = \(d)")
        dimension = d
        var diag = diagonal
        var off = [0.0] + offDiagonal  // tridiagonalQL reads T[i, i−1] at off[i]
        var v: [Double]? = nil
        if computeVectors {
            var identity = [Double](repeating: 0, count: d * d)
            for i in 0..<d { identity[i * d + i] = 1 }
            v = identity
        }
        diag.withUnsafeMutableBufferPointer { dp in
            off.withUnsafeMutableBufferPointer { ep in
                if v != nil {
                    v!.withUnsafeMutableBufferPointer { tridiagonalQL(d, dp.baseAddress!, ep.baseAddress!, $0.baseAddress!) }
                } else if d > 0 {
                    tridiagonalQL(d, dp.baseAddress!, ep.baseAddress!, nil)
                }
            }
        }
        (eigenvalues, eigenvectors) = Self.sortedDecreasing(d, diag, v)
    }

    /// Row k of `eigenvectors`.
    public func eigenvector(_ k: Int) -> ArraySlice<Double> {
        guard let q = eigenvectors else { preconditionFailure("eigenvectors were not computed") }
        return q[(k * dimension)..<((k + 1) * dimension)]
    }

    static func sortedDecreasing(_ d: Int, _ values: [Double], _ vectors: [Double]?) -> ([Double], [Double]?) {
        let order = values.indices.sorted { values[$0] > values[$1] }
        let sortedValues = order.map { values[$0] }
        guard let q = vectors else { return (sortedValues, nil) }
        var sortedVectors = [Double](repeating: 0, count: d * d)
        for (k, source) in order.enumerated() {
            for r in 0..<d { sortedVectors[k * d + r] = q[source * d + r] }
        }
        return (sortedValues, sortedVectors)
    }
}

/// Householder reduction of the symmetric matrix in `v` (V(r, c) = v[c·d + r]) to tridiagonal
/// form: on return `diag` holds T's diagonal, `off[i]` = T[i, i−1] (off[0] = 0) and, when
/// `accumulate`, V holds the orthogonal P with A = P·T·Pᵀ (EISPACK `tred2`).
func householderTridiagonalize(
    _ n: Int, _ v: UnsafeMutablePointer<Double>, _ d: UnsafeMutablePointer<Double>, _ e: UnsafeMutablePointer<Double>,
    accumulate: Bool
) {
    @inline(__always) func at(_ r: Int, _ c: Int) -> UnsafeMutablePointer<Double> { v + c * n + r }
    for j in 0..<n { d[j] = at(n - 1, j).pointee }
    var i = n - 1
    while i > 0 {
        // Scaling by the 1-norm keeps ‖x‖² from overflowing or underflowing.
        var scale = 0.0, h = 0.0
        for k in 0..<i { scale += abs(d[k]) }
        if scale == 0 {
            e[i] = d[i - 1]
            for j in 0..<i {
                d[j] = at(i - 1, j).pointee
                at(i, j).pointee = 0
                at(j, i).pointee = 0
            }
        } else {
            for k in 0..<i {
                d[k] /= scale
                h += d[k] * d[k]
            }
            var f = d[i - 1]
            var g = h.squareRoot()
            if f > 0 { g = -g }  // the sign that avoids cancellation in f − g
            e[i] = scale * g
            h -= f * g
            d[i - 1] = f - g
            for j in 0..<i { e[j] = 0 }
            for j in 0..<i {
                f = d[j]
                at(j, i).pointee = f
                let column = at(0, j)
                g = e[j] + column[j] * f
                if j + 1 < i {
                    for k in (j + 1)..<i {
                        g += column[k] * d[k]
                        e[k] += column[k] * f
                    }
                }
                e[j] = g
            }
            f = 0
            for j in 0..<i {
                e[j] /= h
                f += e[j] * d[j]
            }
            let hh = f / (h + h)
            for j in 0..<i { e[j] -= hh * d[j] }
            for j in 0..<i {
                f = d[j]
                g = e[j]
                let column = at(0, j)
                for k in j..<i { column[k] -= f * e[k] + g * d[k] }
                d[j] = at(i - 1, j).pointee
                at(i, j).pointee = 0
            }
        }
        d[i] = h
        i -= 1
    }
    if !accumulate {
        for j in 0..<n { d[j] = at(j, j).pointee }
        e[0] = 0
        return
    }
    for i in 0..<(n - 1) {
        at(n - 1, i).pointee = at(i, i).pointee
        at(i, i).pointee = 1
        let h = d[i + 1]
        let next = at(0, i + 1)
        if h != 0 {
            for k in 0...i { d[k] = next[k] / h }
            for j in 0...i {
                let column = at(0, j)
                var g = 0.0
                for k in 0...i { g += next[k] * column[k] }
                for k in 0...i { column[k] -= g * d[k] }
            }
        }
        for k in 0...i { next[k] = 0 }
    }
    for j in 0..<n {
        d[j] = at(n - 1, j).pointee
        at(n - 1, j).pointee = 0
    }
    at(n - 1, n - 1).pointee = 1
    e[0] = 0
}

/// Implicit QL iterations with Wilkinson shifts on the symmetric tridiagonal matrix with
/// diagonal `d` and off-diagonal `e[i]` = T[i, i−1]; on return `d` holds the eigenvalues
/// (unsorted) and, when `v` is given, its columns V(·, c) = v[c·d + ·] are rotated into the
/// eigenvectors (EISPACK `tql2`).
func tridiagonalQL(_ n: Int, _ d: UnsafeMutablePointer<Double>, _ e: UnsafeMutablePointer<Double>, _ v: UnsafeMutablePointer<Double>?) {
    guard n > 1 else { return }
    for i in 1..<n { e[i - 1] = e[i] }
    e[n - 1] = 0
    var f = 0.0, tst1 = 0.0
    let eps = Double.ulpOfOne
    for l in 0..<n {
        tst1 = max(tst1, abs(d[l]) + abs(e[l]))
        var m = l
        while m < n - 1, abs(e[m]) > eps * tst1 { m += 1 }
        if m > l {
            var iterations = 0
            repeat {
                // The shift is the eigenvalue of the leading 2×2 block nearer d[l] (Wilkinson).
                var g = d[l]
                var p = (d[l + 1] - g) / (2 * e[l])
                var r = hypot2(p, 1)
                if p < 0 { r = -r }
                d[l] = e[l] / (p + r)
                d[l + 1] = e[l] * (p + r)
                let dl1 = d[l + 1]
                var h = g - d[l]
                if l + 2 < n { for i in (l + 2)..<n { d[i] -= h } }
                f += h
                p = d[m]
                var c = 1.0, c2 = 1.0, c3 = 1.0, s = 0.0, s2 = 0.0
                let el1 = e[l + 1]
                var i = m - 1
                while i >= l {
                    c3 = c2
                    c2 = c
                    s2 = s
                    g = c * e[i]
                    h = c * p
                    r = hypot2(p, e[i])
                    e[i + 1] = s * r
                    s = e[i] / r
                    c = p / r
                    p = c * d[i] - s * g
                    d[i + 1] = h + s * (c * g + s * d[i])
                    if let v {
                        let a = v + (i + 1) * n, b = v + i * n
                        for k in 0..<n {
                            let t = a[k]
                            a[k] = s * b[k] + c * t
                            b[k] = c * b[k] - s * t
                        }
                    }
                    i -= 1
                }
                p = -s * s2 * c3 * el1 * e[l] / dl1
                e[l] = s * p
                d[l] = c * p
                iterations += 1
                precondition(iterations <= 60, "tridiagonal QL did not converge for eigenvalue \(l) of \(n)")
            } while abs(e[l]) > eps * tst1
        }
        d[l] += f
        e[l] = 0
    }
}

/// √(a² + b²) without overflow or destructive underflow.
@inline(__always)
func hypot2(_ a: Double, _ b: Double) -> Double {
    let x = abs(a), y = abs(b)
    let big = max(x, y), small = min(x, y)
    guard big > 0 else { return 0 }
    let t = small / big
    return big * (1 + t * t).squareRoot()
}
