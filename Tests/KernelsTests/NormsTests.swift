import OptBenchKernels
import TestSupport
import Testing

/// ‖·‖₂, ‖·‖₁, ‖·‖∞ against the reference loops, including overflow, underflow and NaN.
@Suite struct NormsTests {
    func check<T: KernelScalar>(_: T.Type, _ n: Int, scale: T) {
        let x: [T] = uniformArray(n, seed: 5).map { $0 * scale }
        let two = nrm2(n, x), one = asum(n, x), inf = amax(n, x)
        let want2 = naiveNrm2(x)
        #expect(abs(Double(two) - want2) <= Double(4 * (n + 2)) * Double(T.ulpOfOne) * want2, "nrm2 n=\(n) scale=\(scale)")
        if scale == 1 {
            expectClose(one, naiveAsum(x), bound: naiveAsum(x), ops: n, "asum n=\(n)")
        }
        #expect(inf == naiveAmax(x), "amax n=\(n)")
    }

    @Test(arguments: awkwardLengths)
    func normsMatchReference(n: Int) {
        check(Float.self, n, scale: 1)
        check(Double.self, n, scale: 1)
    }

    @Test(arguments: [1, 17, 67])
    func nrm2NeitherOverflowsNorUnderflows(n: Int) {
        check(Float.self, n, scale: 1e30)
        check(Float.self, n, scale: 1e-30)
        check(Double.self, n, scale: 1e200)
        check(Double.self, n, scale: 1e-200)
    }

    @Test(arguments: [3, 40, 67])
    func amaxPropagatesNaN(n: Int) {
        for position in [0, n / 2, n - 1] {
            var x: [Double] = uniformArray(n, seed: 6)
            x[position] = .nan
            #expect(amax(n, x).isNaN)
            var y: [Float] = uniformArray(n, seed: 6)
            y[position] = .nan
            #expect(amax(n, y).isNaN)
        }
    }

    @Test func emptyVectorsHaveZeroNorms() {
        let x: [Float] = []
        #expect(nrm2(0, x) == 0 && asum(0, x) == 0 && amax(0, x) == 0)
    }
}
