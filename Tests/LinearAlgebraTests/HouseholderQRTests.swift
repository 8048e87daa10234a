import OptBenchKernels
import OptBenchLinearAlgebra
import Testing

/// Householder QR against a naive reconstruction: QR = A, QᵀQ = I, R upper triangular, and
/// LAPACK's sign convention (R's diagonal −sign(a_kk)·…), on full-rank and rank-deficient inputs.
@Suite struct HouseholderQRTests {
    static func check(_ a: [Double], rows m: Int, columns n: Int) {
        let f = QRDecomposition(a, rows: m, columns: n)
        let scale = a.map(abs).max() ?? 1
        for i in 0..<m {
            for j in 0..<n {
                let qr = (0..<n).reduce(0.0) { $0 + f.q[i * n + $1] * f.r[$1 * n + j] }
                #expect(abs(qr - a[i * n + j]) <= 1e-14 * Double(m) * max(scale, 1e-300), "(QR)[\(i), \(j)]")
            }
        }
        for a in 0..<n {
            for b in 0..<n {
                let g = (0..<m).reduce(0.0) { $0 + f.q[$1 * n + a] * f.q[$1 * n + b] }
                #expect(abs(g - (a == b ? 1 : 0)) < 1e-14 * Double(m), "(QᵀQ)[\(a), \(b)]")
            }
        }
        for i in 0..<n { for j in 0..<i { #expect(f.r[i * n + j] == 0) } }
    }

    @Test(arguments: [(1, 1), (2, 2), (5, 5), (7, 3), (20, 20)])
    func reconstructsAndIsOrthonormal(rows m: Int, columns n: Int) {
        var rng = Xoshiro256(seed: UInt64(m * 31 + n))
        let a = (0..<(m * n)).map { _ in rng.nextGaussian() }
        Self.check(a, rows: m, columns: n)
    }

    /// A rank-1 and a rank-4 5 × 5 matrix (SOAP's power iteration on a rank-deficient factor):
    /// Q is still orthonormal.
    @Test func rankDeficient() {
        var rng = Xoshiro256(seed: 9)
        let u = (0..<5).map { _ in rng.nextGaussian() }, v = (0..<5).map { _ in rng.nextGaussian() }
        let outer: [Double] = (0..<25).map { (k: Int) -> Double in u[k / 5] * v[k % 5] }
        Self.check(outer, rows: 5, columns: 5)
        let g = (0..<20).map { _ in rng.nextGaussian() }  // 4 × 5
        var gram = [Double](repeating: 0, count: 25)
        for k in 0..<25 {
            for i in 0..<4 {
                let x: Double = g[i * 5 + k / 5], y: Double = g[i * 5 + k % 5]
                gram[k] += x * y
            }
        }
        Self.check(gram, rows: 5, columns: 5)
        Self.check([Double](repeating: 0, count: 9), rows: 3, columns: 3)
    }

    /// LAPACK's convention: [[3], [4]] → Q = [[−0.6], [−0.8]], R = [[−5]]; an upper triangular
    /// input is left alone (τ = 0, Q = I).
    @Test func lapackSigns() {
        let f = QRDecomposition([3, 4], rows: 2, columns: 1)
        #expect(abs(f.q[0] + 0.6) < 1e-15 && abs(f.q[1] + 0.8) < 1e-15 && abs(f.r[0] + 5) < 1e-14)
        let u = QRDecomposition([-2, 1, 0, 3], rows: 2, columns: 2)
        #expect(u.q == [1, 0, 0, 1] && u.r == [-2, 1, 0, 3])
    }
}
