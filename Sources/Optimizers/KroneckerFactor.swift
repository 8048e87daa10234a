import OptBenchKernels

/// One Kronecker factor of a K-FAC curvature block (Martens & Grosse, 2015, §3 and §5): the
/// exponential running average of a symmetric n×n mini-batch statistic F̂_t (E[ā āᵀ] of a
/// layer's homogeneous inputs, or E[g gᵀ] of its output gradients),
///
///     F_t = ε_t F_{t−1} + (1 − ε_t) F̂_t,
///
/// kept in Double, and the inverse of its Tikhonov-damped form, (F + δI)⁻¹, in the run
/// precision, recomputed on request. Both buffers are allocated once, with the factor.
struct KroneckerFactor<Scalar: KernelScalar> {
    let size: Int
    /// F, row-major n×n, Double whatever the run precision: an average of many rank-|B|
    /// statistics loses small eigenvalues to Float's rounding.
    var average: [Double]
    /// (F + δI)⁻¹ as of the last `invert`, row-major n×n; the identity before the first.
    var inverse: [Scalar]

    init(size n: Int) {
        size = n
        average = .init(repeating: 0, count: n * n)
        inverse = .init(repeating: 0, count: n * n)
        for i in 0..<n { inverse[i * n + i] = 1 }
    }

    /// F ← ε F + (1 − ε) F̂ for the row-major n×n statistic F̂.
    /// - Complexity: O(n²).
    mutating func update(with statistic: UnsafePointer<Scalar>, decay: Double) {
        let keep = decay, add = 1 - decay
        average.withUnsafeMutableBufferPointer { f in
            for k in 0..<(size * size) { f[k] = keep * f[k] + add * Double(statistic[k]) }
        }
    }

    /// tr(F)/n, the mean eigenvalue (the π of factored Tikhonov damping compares two of them).
    var meanEigenvalue: Double {
        average.withUnsafeBufferPointer { f in (0..<size).reduce(0.0) { $0 + f[$1 * size + $1] } } / Double(size)
    }

    /// Doubles of scratch `invert` needs for a factor of size n.
    static func scratchCount(size n: Int) -> Int { 2 * n * n + n }

    /// inverse ← (F + δI)⁻¹ (see `invertShifted`); false, leaving the previous inverse in
    /// place, when F + δI is not numerically positive definite (a non-finite average).
    /// - Complexity: ≈ n³/3 multiply-adds for the factorisation and triangular inverse, n³ for MᵀM.
    mutating func invert(shift: Double, scratch: UnsafeMutablePointer<Double>) -> Bool {
        let n = size, product = scratch + n * n + n
        let ok = average.withUnsafeBufferPointer { invertShifted(n, $0.baseAddress!, shift: shift, into: product, scratch: scratch) }
        guard ok else { return false }
        inverse.withUnsafeMutableBufferPointer { inv in
            for k in 0..<(n * n) { inv[k] = Scalar(product[k]) }
        }
        return true
    }
}

/// (F + δI)⁻¹ of a symmetric row-major n×n F (its lower triangle is read) into `inverse`:
/// the Cholesky factorisation F + δI = LLᵀ, M = L⁻¹ row by row (row i of LM = I gives
/// M_i = (e_i − Σ_{k<i} L_ik M_k)/L_ii), and (F + δI)⁻¹ = L⁻ᵀL⁻¹ = MᵀM by one GEMM. Returns false
/// when a pivot is not positive and finite. `scratch` holds n² + n doubles; nothing is allocated.
/// - Complexity: n³/6 multiply-adds for L, n³/6 for M, n³ for MᵀM.
func invertShifted(_ n: Int, _ f: UnsafePointer<Double>, shift: Double, into inverse: UnsafeMutablePointer<Double>,
                   scratch: UnsafeMutablePointer<Double>) -> Bool {
    let l = scratch, row = scratch + n * n
    for i in 0..<n {
        for j in 0..<n { l[i * n + j] = j < i ? f[i * n + j] : 0 }
        l[i * n + i] = f[i * n + i] + shift
    }
    // Cholesky: the rows of L are contiguous, so every entry is one dot product of row prefixes.
    for i in 0..<n {
        for j in 0...i {
            let s = l[i * n + j] - dot(j, l + i * n, l + j * n)
            if i == j {
                guard s > 0, s.isFinite else { return false }
                l[i * n + i] = s.squareRoot()
            } else {
                l[i * n + j] = s / l[j * n + j]
            }
        }
    }
    // M = L⁻¹ in place: row i of L is read into `row`'s sum before row i of M replaces it.
    for i in 0..<n {
        fill(i, 0, row)
        for k in 0..<i { axpy(k + 1, l[i * n + k], l + k * n, row) }
        let pivot = 1 / l[i * n + i]
        for j in 0..<i { l[i * n + j] = -row[j] * pivot }
        l[i * n + i] = pivot
    }
    gemm(.transposed, .none, n, n, n, 1, l, n, l, n, 0, inverse, n)
    return true
}
