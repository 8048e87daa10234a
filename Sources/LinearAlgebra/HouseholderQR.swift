/// The QR decomposition A = Q·R of an m×n real matrix (m ≥ n) by Householder reflections, in
/// LAPACK's conventions (`dgeqrf` then `dorgqr`, which torch.linalg.qr calls): reflector
/// H_k = I − τ_k v_k v_kᵀ with v_k[k] = 1 and β_k = −sign(α_k)·‖x_k‖ (`dlarfg`), so R's diagonal
/// may be negative; a column whose part below the diagonal is already zero gets τ = 0 (H = I).
/// Q (m×n, orthonormal columns) is H_1 H_2 ⋯ H_n applied to the first n columns of I: it stays
/// orthonormal to working precision even when A is rank-deficient (the missing directions are
/// completed orthogonally), unlike Gram–Schmidt.
///
/// - Complexity: O(mn²) for the factorisation and as much again for Q; no allocation.
///
/// - Parameters:
///   - a: m×n row-major; overwritten with R in its upper triangle and the reflectors below it.
///   - q: m×n row-major, receives Q.
///   - tau: n entries, receives τ_k.
public func householderQR(_ a: UnsafeMutablePointer<Double>, rows m: Int, columns n: Int,
                          q: UnsafeMutablePointer<Double>, tau: UnsafeMutablePointer<Double>) {
    precondition(m >= n, "householderQR needs rows ≥ columns, got \(m)×\(n)")
    @inline(__always) func at(_ i: Int, _ j: Int) -> UnsafeMutablePointer<Double> { a + i * n + j }
    for k in 0..<n {
        let alpha = at(k, k).pointee
        var tail = 0.0
        for i in (k + 1)..<max(k + 1, m) { tail = hypot2(tail, at(i, k).pointee) }
        guard tail != 0 else {
            tau[k] = 0
            continue
        }
        let norm = hypot2(alpha, tail)
        let beta = alpha >= 0 ? -norm : norm
        tau[k] = (beta - alpha) / beta
        let scale = 1 / (alpha - beta)
        for i in (k + 1)..<m { at(i, k).pointee *= scale }
        at(k, k).pointee = beta
        // The remaining columns: A ← H_k A.
        for j in (k + 1)..<max(k + 1, n) {
            var s = at(k, j).pointee
            for i in (k + 1)..<m { s += at(i, k).pointee * at(i, j).pointee }
            s *= tau[k]
            at(k, j).pointee -= s
            for i in (k + 1)..<m { at(i, j).pointee -= s * at(i, k).pointee }
        }
    }
    for i in 0..<m {
        for j in 0..<n { q[i * n + j] = i == j ? 1 : 0 }
    }
    // Q = H_1 ⋯ H_n [I; 0], the reflectors applied last to first; H_k touches columns ≥ k only.
    for k in stride(from: n - 1, through: 0, by: -1) where tau[k] != 0 {
        for j in k..<n {
            var s = q[k * n + j]
            for i in (k + 1)..<m { s += at(i, k).pointee * q[i * n + j] }
            s *= tau[k]
            q[k * n + j] -= s
            for i in (k + 1)..<m { q[i * n + j] -= s * at(i, k).pointee }
        }
    }
}

/// A = Q·R of the m×n row-major `matrix` (m ≥ n), `householderQR` on a copy: Q m×n with
/// orthonormal columns, R n×n upper triangular, both row-major.
public struct QRDecomposition: Sendable {
    public let q: [Double]
    public let r: [Double]

    public init(_ matrix: [Double], rows m: Int, columns n: Int) {
        precondition(matrix.count == m * n, "\(matrix.count) entries for a \(m)×\(n) matrix")
        var a = matrix
        var q = [Double](repeating: 0, count: m * n)
        var tau = [Double](repeating: 0, count: n)
        a.withUnsafeMutableBufferPointer { ap in
            q.withUnsafeMutableBufferPointer { qp in
                tau.withUnsafeMutableBufferPointer { householderQR(ap.baseAddress!, rows: m, columns: n, q: qp.baseAddress!, tau: $0.baseAddress!) }
            }
        }
        var r = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in i..<n { r[i * n + j] = a[i * n + j] } }
        self.q = q
        self.r = r
    }
}
