import Kernels

/// The predictions z = Xw of a linear model at the last point seen, kept current under
/// coordinate moves, so that a partial derivative ∂F/∂w_j = (1/n)·Σᵢ φᵢ′(zᵢ)·x_{ij} (+ λw_j)
/// costs O(n + d) instead of the O(nd) of a full gradient.
///
/// Each query compares w with the cached point (O(d)); every changed coordinate k updates
/// z ← z + (w_k − w_k^old)·X[:, k] (O(n), a contiguous column of a column-major copy of X made
/// on first use: n·d extra doubles). When more than a few coordinates changed, or after d
/// incremental updates (to bound rounding drift), z is recomputed from scratch (O(nd)), so
/// coordinate descent pays O(n + d) amortised per derivative.
final class LinearPredictionCache {
    let design: Matrix
    private var columns: [Double] = []
    private var point: [Double]
    private var predictions: [Double]
    private var valid = false
    private var updatesSinceRefresh = 0

    init(design: Matrix) {
        self.design = design
        point = [Double](repeating: 0, count: design.columns)
        predictions = [Double](repeating: 0, count: design.rows)
    }

    /// Calls `body` with z = Xw and column j of X.
    func withPredictions<R>(at w: UnsafeBufferPointer<Double>, column j: Int, _ body: (UnsafePointer<Double>, UnsafePointer<Double>) -> R) -> R {
        let n = design.rows, d = design.columns
        if columns.isEmpty {
            columns = [Double](repeating: 0, count: n * d)
            for i in 0..<n { for k in 0..<d { columns[k * n + i] = design[i, k] } }
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
                    } else if changed > 0 {
                        for k in 0..<d where w[k] != old[k] {
                            axpy(n, w[k] - old[k], x + k * n, z)
                            old[k] = w[k]
                        }
                        updatesSinceRefresh += changed
                    }
                    return body(z, x + j * n)
                }
            }
        }
    }
}
