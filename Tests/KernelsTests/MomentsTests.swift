import Kernels
import TestSupport
import Testing

/// The fused optimizer updates against their unfused definitions.
@Suite struct MomentsTests {
    func check<T: KernelScalar>(_: T.Type, _ n: Int) {
        let g: [T] = uniformArray(n, seed: 17), m0: [T] = uniformArray(n, seed: 18)
        let v0: [T] = uniformArray(n, seed: 19).map { $0 * $0 }
        var m = m0, v = v0, wantM = m0, wantV = v0
        updateMoments(n, 0.9, 0.999, g, &m, &v)
        naiveUpdateMoments(0.9, 0.999, g, &wantM, &wantV)
        expectClose(m, wantM, bound: (0..<n).map { abs(m0[$0]) + abs(g[$0]) }, ops: 2)
        expectClose(v, wantV, bound: (0..<n).map { v0[$0] + g[$0] * g[$0] }, ops: 3)

        var b = m0, wantB = m0
        momentumUpdate(n, 0.9, 0.1, g, &b)
        naiveMomentumUpdate(0.9, 0.1, g, &wantB)
        expectClose(b, wantB, bound: (0..<n).map { abs(m0[$0]) + abs(g[$0]) }, ops: 2)
    }

    @Test(arguments: awkwardLengths)
    func fusedUpdatesMatchReference(n: Int) {
        check(Float.self, n)
        check(Double.self, n)
    }

    @Test func momentumWithoutHistoryIsTheDampedGradient() {
        let g: [Double] = [1, -2, 3]
        var b: [Double] = [.nan, .nan, .nan]
        momentumUpdate(3, 0, 0.5, g, &b)
        #expect(b == [0.5, -1, 1.5])
    }
}
