/// x with A·x = b for a square row-major A, by Gaussian elimination with partial pivoting:
/// a naive, independent reference for normal-equation solutions in tests.
public func gaussianEliminationSolve(_ a: [Double], _ b: [Double]) -> [Double] {
    let n = b.count
    precondition(a.count == n * n)
    var m = a, x = b
    for col in 0..<n {
        var pivot = col
        for r in col..<n where abs(m[r * n + col]) > abs(m[pivot * n + col]) { pivot = r }
        if pivot != col {
            for c in 0..<n { m.swapAt(col * n + c, pivot * n + c) }
            x.swapAt(col, pivot)
        }
        for r in (col + 1)..<max(col + 1, n) {
            let f = m[r * n + col] / m[col * n + col]
            for c in col..<n { m[r * n + c] -= f * m[col * n + c] }
            x[r] -= f * x[col]
        }
    }
    for r in stride(from: n - 1, through: 0, by: -1) {
        var s = x[r]
        for c in (r + 1)..<max(r + 1, n) { s -= m[r * n + c] * x[c] }
        x[r] = s / m[r * n + r]
    }
    return x
}
