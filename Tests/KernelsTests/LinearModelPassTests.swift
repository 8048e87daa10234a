import OptBenchKernels
import TestSupport
import Testing

/// `linearModelGradient` against the two-pass definition z = Xw, g = Σᵢ cᵢ(zᵢ) xᵢ by naive
/// loops, with a least-squares term (loss (z − yᵢ)², slope z − yᵢ), over awkward shapes, in both
/// precisions; and bit-identical on one thread and on all.
@Suite struct LinearModelPassTests {
    static let shapes = [(1, 1), (3, 7), (63, 17), (64, 8), (65, 9), (200, 67), (1000, 131), (4099, 33)]

    func checkAgainstNaive<T: KernelScalar>(_: T.Type, n: Int, d: Int) {
        let x: [T] = uniformArray(n * d, seed: UInt64(n)), w: [T] = uniformArray(d, seed: UInt64(d) + 7)
        let y: [T] = uniformArray(n, seed: 3), g0: [T] = uniformArray(d, seed: 4)
        var wantG = g0, gBound = g0.map(abs)
        var wantLoss = 0.0, lossBound = 0.0
        for i in 0..<n {
            var z: T = 0, zBound: T = 0
            for k in 0..<d { z += x[i * d + k] * w[k]; zBound += abs(x[i * d + k] * w[k]) }
            let r = z - y[i]
            wantLoss += Double(r) * Double(r)
            lossBound += Double(zBound + abs(y[i])) * Double(zBound + abs(y[i]))
            for k in 0..<d {
                wantG[k] += r * x[i * d + k]
                gBound[k] += (zBound + abs(y[i])) * abs(x[i * d + k])
            }
        }
        for threads in [1, 0] {
            var g = g0
            let loss = y.withUnsafeBufferPointer { yp in
                linearModelGradient(rows: n, columns: d, x, w, addingTo: &g, threads: threads) { i, z in
                    let r = z - yp[i]
                    return (Double(r) * Double(r), r)
                }
            }
            // Each entry is a sum of n products, each of a d-term dot product; the loss's
            // residuals carry T's rounding, their squares and sum Double's.
            expectClose(g, wantG, bound: gBound, ops: n + d + 2, "\(T.self) n=\(n) d=\(d) threads=\(threads)")
            expectClose(T(loss), T(wantLoss), bound: T(lossBound), ops: n + 2 * d + 2, "\(T.self) n=\(n) d=\(d) threads=\(threads)")
        }
    }

    @Test(arguments: shapes)
    func matchesTheNaiveTwoPassDefinitionInDouble(n: Int, d: Int) { checkAgainstNaive(Double.self, n: n, d: d) }

    @Test(arguments: shapes)
    func matchesTheNaiveTwoPassDefinitionInFloat(n: Int, d: Int) { checkAgainstNaive(Float.self, n: n, d: d) }

    func checkThreadInvariance<T: KernelScalar>(_: T.Type) {
        let n = 20_011, d = 37
        let x: [T] = uniformArray(n * d, seed: 5), w: [T] = uniformArray(d, seed: 6)
        func run(_ threads: Int) -> (Double, [T]) {
            var g = [T](repeating: 0, count: d)
            let loss = linearModelGradient(rows: n, columns: d, x, w, addingTo: &g, threads: threads) { i, z in
                (Double(z * z) * Double(i % 3), z - 1)
            }
            return (loss, g)
        }
        let one = run(1), all = run(0)
        #expect(one.0 == all.0, "\(T.self)")
        #expect(one.1 == all.1, "\(T.self)")
    }

    @Test func resultIgnoresTheThreadCount() {
        checkThreadInvariance(Double.self)
        checkThreadInvariance(Float.self)
        let n = 20_011
        #expect(linearModelBlockRows(n) * 64 >= n && linearModelBlockRows(n) >= 64)
    }

    @Test func emptyDataLeaveTheGradientAlone() {
        var g: [Float] = [1, 2]
        let loss = linearModelGradient(rows: 0, columns: 2, [Float](), [Float](repeating: 1, count: 2), addingTo: &g) { _, z in (1, z) }
        #expect(loss == 0 && g == [1, 2])
    }
}
