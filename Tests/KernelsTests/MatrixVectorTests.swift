import OptBenchKernels
import TestSupport
import Testing

/// gemv (both transposes, padded leading dimensions, β ∈ {0, 1, other}) and ger.
@Suite struct MatrixVectorTests {
    static let shapes: [(Int, Int)] = [
        (1, 1), (1, 67), (67, 1), (2, 3), (3, 5), (4, 16), (5, 17), (13, 33), (16, 64), (31, 47), (67, 65),
    ]

    func checkGemv<T: KernelScalar>(_: T.Type, _ trans: Transpose, _ m: Int, _ n: Int, beta: T) {
        let lda = n + 3
        let a: [T] = uniformArray(m * lda, seed: 7)
        let xCount = trans == .none ? n : m, yCount = trans == .none ? m : n
        let x: [T] = uniformArray(xCount, seed: 8)
        let y0: [T] = beta == 0 ? [T](repeating: .nan, count: yCount) : uniformArray(yCount, seed: 9)
        let alpha: T = -1.5
        var y = y0
        gemv(trans, m, n, alpha, a, lda, x, beta, &y)
        var want = y0
        naiveGemv(trans, m, n, alpha, a, lda, x, beta, &want)
        let bound = naiveGemvBound(trans, m, n, alpha, a, lda, x, beta, y0)
        expectClose(y, want, bound: bound, ops: xCount + 1, "gemv \(trans) \(m)×\(n) β=\(beta)")
    }

    @Test(arguments: [Transpose.none, .transposed])
    func gemvMatchesReference(trans: Transpose) {
        for (m, n) in Self.shapes {
            for beta in [0, 1, 0.5] {
                checkGemv(Float.self, trans, m, n, beta: Float(beta))
                checkGemv(Double.self, trans, m, n, beta: beta)
            }
        }
    }

    @Test func gemvRowsEqualDotBitForBit() {
        let m = 9, n = 131, lda = 140
        let a: [Float] = uniformArray(m * lda, seed: 10), x: [Float] = uniformArray(n, seed: 11)
        var y = [Float](repeating: 0, count: m)
        gemv(.none, m, n, 1, a, lda, x, 0, &y)
        a.withUnsafeBufferPointer { pa in
            for i in 0..<m { #expect(y[i] == dot(n, pa.baseAddress! + i * lda, x)) }
        }
    }

    func checkGer<T: KernelScalar>(_: T.Type, _ m: Int, _ n: Int) {
        let lda = n + 2
        let a0: [T] = uniformArray(m * lda, seed: 12), x: [T] = uniformArray(m, seed: 13), y: [T] = uniformArray(n, seed: 14)
        var a = a0, want = a0
        ger(m, n, 0.5, x, y, &a, lda)
        naiveGer(m, n, 0.5, x, y, &want, lda)
        let bound = (0..<m * lda).map { abs(a0[$0]) + 1 }
        expectClose(a, want, bound: bound, ops: 2, "ger \(m)×\(n)")
    }

    @Test func gerMatchesReferenceAndLeavesPaddingAlone() {
        for (m, n) in Self.shapes {
            checkGer(Float.self, m, n)
            checkGer(Double.self, m, n)
        }
    }
}
