import OptBenchKernels

/// The predictions z = Xw of a linear model at the last point seen, kept current under
/// coordinate moves, so that a partial derivative ∂F/∂w_j = (1/n)·Σᵢ φᵢ′(zᵢ)·x_{ij} (+ λw_j)
/// costs O(n + d) instead of the O(nd) of a full gradient — what the coordinate view's charge
/// of 1/d epoch per partial promises.
///
/// Each query compares w with the cached point (O(d)); every changed coordinate k updates
/// z ← z + (w_k − w_k^old)·X[:, k] (O(n), a contiguous column of a column-major copy of X made
/// on first use: n·d extra scalars). When more than a few coordinates changed, or after d
/// incremental updates (to bound rounding drift), z is recomputed from scratch (O(nd)), so
/// coordinate descent pays O(n + d) amortised per derivative.
///
/// One cache serves one run: a problem's `coordinates()` makes a fresh one for each oracle, and
/// nothing is allocated until the first partial is asked for.
final class LinearPredictionCache<Scalar: KernelScalar> {
    let design: Matrix<Scalar>
    private var columns: [Scalar] = []
    private var point: [Scalar] = []
    private var predictions: [Scalar] = []
    private var valid = false
    private var updatesSinceRefresh = 0
    /// O(nd) recomputations of z = Xw so far.
    private(set) var fullRecomputations = 0
    /// O(n) column updates z += δ·X[:, k] so far.
    private(set) var columnUpdates = 0

    init(design: Matrix<Scalar>) {
        self.design = design
    }

    /// Calls `body` with z = Xw and column j of X.
    func withPredictions<R>(at w: UnsafeBufferPointer<Scalar>, column j: Int, _ body: (UnsafePointer<Scalar>, UnsafePointer<Scalar>) -> R) -> R {
        let n = design.rows, d = design.columns
        if columns.isEmpty {
            columns = [Scalar](repeating: 0, count: n * d)
            point = [Scalar](repeating: 0, count: d)
            predictions = [Scalar](repeating: 0, count: n)
            let x = design.base
            columns.withUnsafeMutableBufferPointer { c in
                for i in 0..<n { for k in 0..<d { c[k * n + i] = x[i * d + k] } }
            }
        }
        return columns.withUnsafeBufferPointer { cp in
            predictions.withUnsafeMutableBufferPointer { zp in
                point.withUnsafeMutableBufferPointer { pp in
                    let z = zp.baseAddress!, old = pp.baseAddress!, x = cp.baseAddress!
                    var changed = 0
                    if valid {
                        for k in 0..<d where w[k] != old[k] { changed += 1 }
                    }
                    if !valid || changed > 4 || updatesSinceRefresh + changed > d {
                        gemv(.none, n, d, 1, design.base, d, w.baseAddress!, 0, z)
                        for k in 0..<d { old[k] = w[k] }
                        valid = true
                        updatesSinceRefresh = 0
                        fullRecomputations += 1
                    } else if changed > 0 {
                        for k in 0..<d where w[k] != old[k] {
                            axpy(n, w[k] - old[k], x + k * n, z)
                            old[k] = w[k]
                        }
                        updatesSinceRefresh += changed
                        columnUpdates += changed
                    }
                    return body(z, x + j * n)
                }
            }
        }
    }
}
