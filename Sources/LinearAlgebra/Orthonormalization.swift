import OptBenchKernels

/// `count` orthonormal vectors of ℝ^length, as the rows of a count×length row-major matrix,
/// from Gaussian draws of `rng` by classical Gram–Schmidt applied twice (CGS2), which keeps them
/// orthogonal to working precision: a Haar-like random orthonormal frame, the U and V of the
/// synthetic problems' prescribed SVDs and spectra and of orthogonal initialisations.
///
/// - Complexity: O(count²·length) multiply-adds.
public func orthonormalRows(count: Int, length: Int, rng: inout Xoshiro256) -> [Double] {
    precondition(count <= length)
    var q = [Double](repeating: 0, count: count * length)
    var coeff = [Double](repeating: 0, count: count)
    q.withUnsafeMutableBufferPointer { qp in
        coeff.withUnsafeMutableBufferPointer { cp in
            let base = qp.baseAddress!
            for j in 0..<count {
                let v = base + j * length
                while true {
                    for k in 0..<length { v[k] = rng.nextGaussian() }
                    for _ in 0..<2 where j > 0 {
                        gemv(.none, j, length, 1, base, length, v, 0, cp.baseAddress!)
                        gemv(.transposed, j, length, -1, base, length, cp.baseAddress!, 1, v)
                    }
                    let norm = nrm2(length, v)
                    // A draw almost inside the span of the earlier rows is redrawn, not normalised.
                    if norm > 1e-8 {
                        scal(length, 1 / norm, v)
                        break
                    }
                }
            }
        }
    }
    return q
}
