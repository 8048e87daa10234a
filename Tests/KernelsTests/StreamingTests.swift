import OptBenchKernels
import TestSupport
import Testing

/// Past 2²⁰ entries the memory-bound kernels run on all cores; these check them against the
/// reference loops there, and that the blocked reductions depend on n alone.
@Suite struct StreamingTests {
    static let n = (1 << 20) + 37
    static let blockLength = 1 << 16

    func check<T: KernelScalar>(_: T.Type) {
        let n = Self.n
        let x: [T] = uniformArray(n, seed: 21), y0: [T] = uniformArray(n, seed: 22)
        expectClose(dot(n, x, y0), naiveDot(x, y0), bound: naiveAbsDot(x, y0), ops: n)
        expectClose(asum(n, x), naiveAsum(x), bound: naiveAsum(x), ops: n)
        #expect(amax(n, x) == naiveAmax(x))

        // The blocked order, spelled out: blocks of 2¹⁶ summed serially, then added in order.
        var blocked: T = 0
        x.withUnsafeBufferPointer { px in
            y0.withUnsafeBufferPointer { py in
                var start = 0
                while start < n {
                    let len = min(Self.blockLength, n - start)
                    blocked += dot(len, px.baseAddress! + start, py.baseAddress! + start)
                    start += len
                }
            }
        }
        #expect(dot(n, x, y0) == blocked, "the parallel dot must follow the fixed block order")

        var y = y0, want = y0
        axpy(n, 0.5, x, &y)
        naiveAxpy(0.5, x, &want)
        expectClose(y, want, bound: (0..<n).map { abs(x[$0]) + abs(y0[$0]) }, ops: 1)
    }

    /// Element-wise kernels split from 2¹⁶ entries on, below the reductions' threshold.
    @Test(arguments: [(1 << 16) - 3, (1 << 16) + 37, (1 << 18) + 5])
    func elementwiseKernelsMatchReferenceAcrossTheSplit(n: Int) {
        let x: [Float] = uniformArray(n, seed: 31), y0: [Float] = uniformArray(n, seed: 32)
        var y = y0
        axpy(n, -0.75, x, &y)
        #expect(y == (0..<n).map { y0[$0].addingProduct(-0.75, x[$0]) }, "axpy: one fused multiply-add per entry, whatever the split")
        var z = y0
        axpby(n, 0.5, x, 2, &z)
        #expect(z == (0..<n).map { (2 * y0[$0]).addingProduct(0.5, x[$0]) }, "axpby against an entry-by-entry loop")
    }

    @Test func largeVectorsMatchReference() {
        check(Float.self)
        check(Double.self)
    }

    @Test func largeGemvMatchesReferenceAndSerialRows() {
        let m = 1031, n = 1027, lda = 1030
        let a: [Double] = uniformArray(m * lda, seed: 23)
        for trans in [Transpose.none, .transposed] {
            let x: [Double] = uniformArray(trans == .none ? n : m, seed: 24)
            let y0: [Double] = uniformArray(trans == .none ? m : n, seed: 25)
            var y = y0, want = y0
            gemv(trans, m, n, 2, a, lda, x, 0.5, &y)
            naiveGemv(trans, m, n, 2, a, lda, x, 0.5, &want)
            expectClose(y, want, bound: naiveGemvBound(trans, m, n, 2, a, lda, x, 0.5, y0), ops: max(m, n) + 1)
            if trans == .none {
                a.withUnsafeBufferPointer { pa in
                    for i in [0, 517, m - 1] { #expect(y[i] == (0.5 * y0[i]).addingProduct(2, dot(n, pa.baseAddress! + i * lda, x))) }
                }
            }
        }
    }
}
