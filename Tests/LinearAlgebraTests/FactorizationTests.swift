import OptBenchKernels
import OptBenchLinearAlgebra
import Testing
import TestSupport

/// Orthonormal frames, Gram matrices and Cholesky solves against naive loops and an
/// independent Gaussian elimination.
@Suite struct OrthonormalizationTests {
    @Test(arguments: [(1, 1), (3, 7), (12, 12), (20, 65)])
    func rowsAreOrthonormal(count: Int, length: Int) {
        var rng = Xoshiro256(seed: UInt64(count * 100 + length))
        let q = orthonormalRows(count: count, length: length, rng: &rng)
        for a in 0..<count {
            for b in 0..<count {
                let g = (0..<length).reduce(0.0) { $0 + q[a * length + $1] * q[b * length + $1] }
                #expect(abs(g - (a == b ? 1 : 0)) < 1e-14, "rows \(a), \(b)")
            }
        }
    }

    @Test func sameGeneratorStateGivesTheSameFrame() {
        var r1 = Xoshiro256(seed: 4), r2 = Xoshiro256(seed: 4), r3 = Xoshiro256(seed: 5)
        let a = orthonormalRows(count: 3, length: 5, rng: &r1)
        #expect(a == orthonormalRows(count: 3, length: 5, rng: &r2))
        #expect(a != orthonormalRows(count: 3, length: 5, rng: &r3))
    }
}

@Suite struct GramTests {
    @Test(arguments: [(5, 3, false), (70, 40, true), (33, 65, true)])
    func matchesTheNaiveWeightedSum(n: Int, d: Int, weighted: Bool) {
        let x: [Double] = uniformArray(n * d, seed: 1), c: [Double] = uniformArray(n, seed: 2).map { $0 + 1.5 }
        var g = [Double](repeating: .nan, count: d * d)
        x.withUnsafeBufferPointer { xp in
            c.withUnsafeBufferPointer { cp in
                g.withUnsafeMutableBufferPointer {
                    weightedGram(rows: n, columns: d, xp.baseAddress!, weights: weighted ? cp.baseAddress! : nil, scale: 0.5, into: $0.baseAddress!)
                }
            }
        }
        for j in 0..<d {
            for k in 0..<d {
                var s = 0.0, bound = 0.0
                for i in 0..<n {
                    let t = (weighted ? c[i] : 1) * x[i * d + j] * x[i * d + k]
                    s += t
                    bound += abs(t)
                }
                #expect(abs(g[j * d + k] - 0.5 * s) <= 4 * Double(n + 2) * .ulpOfOne * bound, "entry (\(j), \(k))")
                #expect(g[j * d + k] == g[k * d + j])
            }
        }
    }
}

@Suite struct CholeskyTests {
    @Test func solvesLikeGaussianElimination() throws {
        let d = 9, n = 30
        let x: [Double] = uniformArray(n * d, seed: 3), b: [Double] = uniformArray(d, seed: 4)
        var a = [Double](repeating: 0, count: d * d)
        for i in 0..<n { for j in 0..<d { for k in 0..<d { a[j * d + k] += x[i * d + j] * x[i * d + k] } } }
        let c = try #require(Cholesky(a, dimension: d))
        #expect(isClose(c.solve(b), gaussianEliminationSolve(a, b), rtol: 1e-10))
        // L is lower triangular and LLᵀ = A.
        for i in 0..<d {
            for j in 0..<d {
                if j > i { #expect(c.factor[i * d + j] == 0) }
                let s = (0..<d).reduce(0.0) { $0 + c.factor[i * d + $1] * c.factor[j * d + $1] }
                #expect(abs(s - a[i * d + j]) < 1e-12 * Double(n))
            }
        }
    }

    @Test func indefiniteAndNonFiniteMatricesAreRefused() {
        #expect(Cholesky([1, 2, 2, 1], dimension: 2) == nil)
        #expect(Cholesky([0, 0, 0, 1], dimension: 2) == nil)
        #expect(Cholesky([.infinity, 0, 0, 1], dimension: 2) == nil)
    }
}
