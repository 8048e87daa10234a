/// Level-1 BLAS kernels on contiguous buffers (row-major, unit stride), Double precision.
///
/// Reference versions; the SIMD implementations replace these bodies with the same signatures.

/// Returns xᵀy = Σᵢ xᵢ yᵢ.
/// - Complexity: O(n).
@inlinable
public func dot(_ n: Int, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>) -> Double {
    var s = 0.0
    for i in 0..<n { s += x[i] * y[i] }
    return s
}

/// y ← αx + y.
/// - Complexity: O(n).
@inlinable
public func axpy(_ n: Int, _ alpha: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>) {
    for i in 0..<n { y[i] += alpha * x[i] }
}

/// x ← αx.
/// - Complexity: O(n).
@inlinable
public func scal(_ n: Int, _ alpha: Double, _ x: UnsafeMutablePointer<Double>) {
    for i in 0..<n { x[i] *= alpha }
}

/// Returns ‖x‖₂.
/// - Complexity: O(n).
@inlinable
public func nrm2(_ n: Int, _ x: UnsafePointer<Double>) -> Double {
    dot(n, x, x).squareRoot()
}

/// Whether a matrix operand is used as stored or transposed.
public enum Transpose: Sendable { case none, transposed }

/// y ← α·op(A)·x + βy for a row-major m×n matrix A with leading dimension lda
/// (op(A) = A: x has n entries and y has m; op(A) = Aᵀ: x has m and y has n).
/// - Complexity: O(mn).
@inlinable
public func gemv(
    _ trans: Transpose, _ m: Int, _ n: Int, _ alpha: Double, _ a: UnsafePointer<Double>, _ lda: Int,
    _ x: UnsafePointer<Double>, _ beta: Double, _ y: UnsafeMutablePointer<Double>
) {
    switch trans {
    case .none:
        for i in 0..<m { y[i] = alpha * dot(n, a + i * lda, x) + (beta == 0 ? 0 : beta * y[i]) }
    case .transposed:
        if beta == 0 { for j in 0..<n { y[j] = 0 } } else if beta != 1 { scal(n, beta, y) }
        for i in 0..<m { axpy(n, alpha * x[i], a + i * lda, y) }
    }
}
