import Kernels
import TestSupport
import Testing

/// `linearModelGradient` against the two-pass definition z = Xw, g = Σᵢ cᵢ(zᵢ) xᵢ by naive
/// loops, with a least-squares term (loss (z − yᵢ)², slope z − yᵢ), over awkward shapes; and
/// bit-identical on one thread and on all.
@Suite struct LinearModelPassTests {
    @Test(arguments: [(1, 1), (3, 7), (63, 17), (64, 8), (65, 9), (200, 67), (1000, 131), (4099, 33)])
    func matchesTheNaiveTwoPassDefinition(n: Int, d: Int) {
        let x: [Double] = uniformArray(n * d, seed: UInt64(n)), w: [Double] = uniformArray(d, seed: UInt64(d) + 7)
        let y: [Double] = uniformArray(n, seed: 3), g0: [Double] = uniformArray(d, seed: 4)
        var wantG = g0, wantLoss = 0.0, lossBound = 0.0, gBound = g0.map(abs)
        for i in 0..<n {
            var z = 0.0, zBound = 0.0
            for k in 0..<d { z += x[i * d + k] * w[k]; zBound += abs(x[i * d + k] * w[k]) }
            let r = z - y[i]
            wantLoss += r * r
            lossBound += (zBound + abs(y[i])) * (zBound + abs(y[i]))
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
                    return (r * r, r)
                }
            }
            // Each entry is a sum of n products, each of a d-term dot product.
            expectClose(g, wantG, bound: gBound, ops: n + d + 2, "n=\(n) d=\(d) threads=\(threads)")
            expectClose(loss, wantLoss, bound: lossBound, ops: n + 2 * d + 2, "n=\(n) d=\(d) threads=\(threads)")
        }
    }

    @Test func resultIgnoresTheThreadCount() {
        let n = 20_011, d = 37
        let x: [Double] = uniformArray(n * d, seed: 5), w: [Double] = uniformArray(d, seed: 6)
        func run(_ threads: Int) -> (Double, [Double]) {
            var g = [Double](repeating: 0, count: d)
            let loss = linearModelGradient(rows: n, columns: d, x, w, addingTo: &g, threads: threads) { i, z in
                (z * z * Double(i % 3), z - 1)
            }
            return (loss, g)
        }
        let one = run(1), all = run(0)
        #expect(one.0 == all.0)
        #expect(one.1 == all.1)
        #expect(linearModelBlockRows(n) * 64 >= n && linearModelBlockRows(n) >= 64)
    }
}
