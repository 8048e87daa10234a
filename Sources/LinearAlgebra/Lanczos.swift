import OptBenchKernels

/// The extremal eigenvalues λmax and λmin of a symmetric operator v ↦ Hv, by the Lanczos
/// process with full reorthogonalisation.
///
/// From a seeded random unit q₁ it builds an orthonormal basis Q_k of the Krylov space
/// span{q₁, Hq₁, …, H^{k−1}q₁} and the tridiagonal T_k = Q_kᵀHQ_k (αᵢ on the diagonal, βᵢ off
/// it); the extreme Ritz values θ of T_k converge to λmax and λmin from inside. A Ritz pair
/// (θ, s) has residual ‖HQ_k s − θQ_k s‖ = β_k·|s_k|, which bounds the eigenvalue error; the
/// process stops when both extreme residuals are at most `tolerance`·max|θ|. Every basis vector
/// is reorthogonalised twice against all earlier ones (CGS2), so no ghost copies appear.
///
/// Used for L = λmax and μ = λmin of H = XᵀX/n when d is too large for `SymmetricEigen`, and
/// for theory-prescribed step sizes.
///
/// - Complexity: k products with H, O(k²d) for reorthogonalisation, O(kd) memory, k ≤ maxSteps.
public enum Lanczos {
    public struct Result: Sendable {
        /// The largest Ritz value, λmax from below.
        public let largest: Double
        /// The smallest Ritz value, λmin from above.
        public let smallest: Double
        /// Residual norms β_k|s_k| of the two extreme Ritz pairs (error bounds for λmax, λmin).
        public let largestResidual: Double
        public let smallestResidual: Double
        /// Lanczos steps taken (products with H).
        public let steps: Int
        /// Whether both residuals met the tolerance (or the Krylov space became invariant).
        public let converged: Bool
    }

    /// Runs Lanczos on the operator `apply(v, out)`: out ← Hv for vectors of `dimension` entries.
    public static func extremeEigenvalues(
        dimension d: Int, maxSteps: Int = 300, tolerance: Double = 1e-10, seed: UInt64 = 0,
        apply: (UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Void
    ) -> Result {
        precondition(d > 0, "Lanczos needs a positive dimension")
        let kMax = min(d, max(1, maxSteps))
        var basis = [Double](repeating: 0, count: kMax * d)
        var w = [Double](repeating: 0, count: d)
        var coefficients = [Double](repeating: 0, count: kMax)
        var alpha: [Double] = [], beta: [Double] = []
        var rng = Xoshiro256(seed: seed, stream: 11)
        var result = Result(largest: 0, smallest: 0, largestResidual: .infinity, smallestResidual: .infinity, steps: 0, converged: false)
        basis.withUnsafeMutableBufferPointer { qp in
            w.withUnsafeMutableBufferPointer { wp in
                coefficients.withUnsafeMutableBufferPointer { cp in
                    let q = qp.baseAddress!, wv = wp.baseAddress!, c = cp.baseAddress!
                    for i in 0..<d { q[i] = rng.nextGaussian() }
                    scal(d, 1 / nrm2(d, q), q)
                    for k in 0..<kMax {
                        let qk = q + k * d
                        apply(qk, wv)
                        let a = dot(d, qk, wv)
                        alpha.append(a)
                        axpy(d, -a, qk, wv)
                        if k > 0 { axpy(d, -beta[k - 1], qk - d, wv) }
                        for _ in 0..<2 {
                            gemv(.none, k + 1, d, 1, q, d, wv, 0, c)
                            gemv(.transposed, k + 1, d, -1, q, d, c, 1, wv)
                        }
                        let b = nrm2(d, wv)
                        let last = k + 1 == kMax
                        let invariant = b <= 1e-14 * max(abs(a), alpha.reduce(0) { max($0, abs($1)) })
                        // Checking costs O(k³): every few steps until the end suffices.
                        if last || invariant || k < 10 || k % 5 == 0 {
                            result = ritzExtremes(alpha: alpha, beta: beta, nextBeta: invariant ? 0 : b, steps: k + 1)
                            let scale = max(abs(result.largest), abs(result.smallest), .leastNormalMagnitude)
                            let done = invariant
                                || (result.largestResidual <= tolerance * scale && result.smallestResidual <= tolerance * scale)
                            if done || last {
                                result = Result(
                                    largest: result.largest, smallest: result.smallest, largestResidual: result.largestResidual,
                                    smallestResidual: result.smallestResidual, steps: k + 1, converged: done)
                                return
                            }
                        }
                        beta.append(b)
                        let next = q + (k + 1) * d
                        for i in 0..<d { next[i] = wv[i] / b }
                    }
                }
            }
        }
        return result
    }

    static func ritzExtremes(alpha: [Double], beta: [Double], nextBeta: Double, steps: Int) -> Result {
        let t = SymmetricEigen(tridiagonal: alpha, offDiagonal: Array(beta.prefix(alpha.count - 1)), computeVectors: true)
        let k = alpha.count
        let lastOfLargest = t.eigenvectors![k - 1]
        let lastOfSmallest = t.eigenvectors![(k - 1) * k + k - 1]
        return Result(
            largest: t.eigenvalues[0], smallest: t.eigenvalues[k - 1],
            largestResidual: nextBeta * abs(lastOfLargest), smallestResidual: nextBeta * abs(lastOfSmallest),
            steps: steps, converged: false)
    }
}
