import Kernels
import TestSupport
import Testing

/// GEMM against the triple loop: every transpose pair, awkward shapes around the 12 × NR tile
/// and the cache blocks, padded leading dimensions, offset views, β = 0 over NaN, and
/// bit-identical results for every thread count.
@Suite struct GEMMTests {
    static let transposes: [(Transpose, Transpose)] = [
        (.none, .none), (.none, .transposed), (.transposed, .none), (.transposed, .transposed),
    ]

    /// Runs `gemm` on views at an offset inside padded buffers and compares with `naiveGemm`.
    /// Returns C (with padding) so callers can compare runs bit for bit.
    @discardableResult
    func check<T: KernelScalar>(
        _: T.Type, _ ta: Transpose, _ tb: Transpose, _ m: Int, _ n: Int, _ k: Int,
        alpha: T = 0.75, beta: T = -0.5, threads: Int = 0, pad: Int = 3, offset: Int = 2,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> [T] {
        let aRows = ta == .none ? m : k, aCols = ta == .none ? k : m
        let bRows = tb == .none ? k : n, bCols = tb == .none ? n : k
        let lda = aCols + pad, ldb = bCols + pad, ldc = n + pad
        let a: [T] = uniformArray(offset + aRows * lda, seed: UInt64(m * 1000 + k))
        let b: [T] = uniformArray(offset + bRows * ldb, seed: UInt64(n * 1000 + k + 7))
        let c0: [T] = beta == 0 ? [T](repeating: .nan, count: offset + m * ldc) : uniformArray(offset + m * ldc, seed: 99)
        var c = c0
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    gemm(ta, tb, m, n, k, alpha, pa.baseAddress! + offset, lda, pb.baseAddress! + offset, ldb,
                         beta, pc.baseAddress! + offset, ldc, threads: threads)
                }
            }
        }
        var want = Array(c0[offset...])
        let bound = naiveGemm(ta, tb, m, n, k, alpha, Array(a[offset...]), lda, Array(b[offset...]), ldb, beta, &want, ldc)
        let got = Array(c[offset...])
        var gotC: [T] = [], wantC: [T] = []
        for i in 0..<m {
            gotC += got[(i * ldc)..<(i * ldc + n)]
            wantC += want[(i * ldc)..<(i * ldc + n)]
        }
        expectClose(gotC, wantC, bound: bound, ops: k + 2, "\(T.self) \(ta)/\(tb) m=\(m) n=\(n) k=\(k) threads=\(threads)",
                    sourceLocation: sourceLocation)
        // Padding between rows and before the view is never written.
        for i in 0..<m where pad > 0 {
            let row = offset + i * ldc
            #expect(c[(row + n)..<(row + ldc)].elementsEqual(c0[(row + n)..<(row + ldc)], by: { $0 == $1 || ($0.isNaN && $1.isNaN) }),
                    sourceLocation: sourceLocation)
        }
        return c
    }

    @Test(arguments: [1, 5, 12, 13, 67])
    func smallShapesAllTransposes(m: Int) {
        for (ta, tb) in Self.transposes {
            for n in [1, 17, 32, 33, 67] {
                for k in [1, 3, 31, 67] {
                    check(Float.self, ta, tb, m, n, k)
                    check(Double.self, ta, tb, m, n, k)
                }
            }
        }
    }

    @Test func betaZeroIgnoresNaNInC() {
        for (ta, tb) in Self.transposes {
            check(Float.self, ta, tb, 13, 35, 19, beta: 0)
            check(Double.self, ta, tb, 29, 17, 8, beta: 0)
        }
    }

    @Test func alphaZeroOrEmptyKOnlyScalesC() {
        check(Double.self, .none, .none, 7, 9, 5, alpha: 0, beta: 2)
        check(Float.self, .none, .transposed, 7, 9, 0, beta: 0.5)
        check(Double.self, .transposed, .none, 7, 9, 0, beta: 0)
    }

    @Test func contiguousOperandsWithoutPadding() {
        for (ta, tb) in Self.transposes {
            check(Float.self, ta, tb, 24, 64, 16, pad: 0, offset: 0)
            check(Double.self, ta, tb, 37, 41, 43, pad: 0, offset: 0)
        }
    }

    /// Shapes beyond one cache block in every dimension (KC = 512, MC ≤ 192, NC ≥ 1024).
    @Test func crossesCacheBlocks() {
        check(Float.self, .none, .none, 150, 70, 530, threads: 1)
        check(Double.self, .transposed, .transposed, 101, 40, 300, threads: 2)
        check(Float.self, .none, .transposed, 5, 2100, 9, threads: 1)
        check(Double.self, .transposed, .none, 3, 1100, 261, threads: 2)
    }

    /// The MLP layer shape the optimizers run most.
    @Test func miniBatchLayer() {
        check(Float.self, .none, .none, 64, 128, 784, beta: 0)
        check(Float.self, .transposed, .none, 784, 128, 64, beta: 0)
        check(Double.self, .none, .transposed, 64, 784, 128, beta: 0)
    }

    func checkThreadInvariance<T: KernelScalar>(_: T.Type, _ ta: Transpose, _ tb: Transpose, _ m: Int, _ n: Int, _ k: Int) {
        let one = check(T.self, ta, tb, m, n, k, threads: 1)
        for threads in [2, 3] {
            let many = check(T.self, ta, tb, m, n, k, threads: threads)
            #expect(one.elementsEqual(many, by: { $0 == $1 || ($0.isNaN && $1.isNaN) }),
                    "\(T.self) \(ta)/\(tb) \(m)×\(n)×\(k): threads=\(threads) differs from 1")
        }
    }

    @Test func bitIdenticalForEveryThreadCount() {
        for (ta, tb) in Self.transposes {
            checkThreadInvariance(Float.self, ta, tb, 97, 45, 300)   // rows split
            checkThreadInvariance(Double.self, ta, tb, 26, 131, 270) // columns split
        }
    }

    /// The row split shares each packed B panel between the threads: a product with several
    /// NC-wide panels (NC = 1024 for Double) and KC-deep blocks (512), ragged at every edge,
    /// split 2 and 3 ways.
    @Test func sharedPanelsAcrossBlocks() {
        checkThreadInvariance(Double.self, .transposed, .none, 790, 1030, 515)
    }
}
