import OptBenchKernels
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

    func checkThreadInvariance<T: KernelScalar>(
        _: T.Type, _ ta: Transpose, _ tb: Transpose, _ m: Int, _ n: Int, _ k: Int, alpha: T = 0.75, beta: T = -0.5
    ) {
        let one = check(T.self, ta, tb, m, n, k, alpha: alpha, beta: beta, threads: 1)
        // 0 is the automatic count: one thread below m·n·k = 2²⁰ (2¹⁸ when k ≥ 128), every active core above.
        for threads in [0, 2, 3] {
            let many = check(T.self, ta, tb, m, n, k, alpha: alpha, beta: beta, threads: threads)
            #expect(one.elementsEqual(many, by: { $0 == $1 || ($0.isNaN && $1.isNaN) }),
                    "\(T.self) \(ta)/\(tb) \(m)×\(n)×\(k): threads=\(threads) differs from 1")
        }
    }

    @Test func bitIdenticalForEveryThreadCount() {
        for (ta, tb) in Self.transposes {
            checkThreadInvariance(Float.self, ta, tb, 97, 45, 300)   // columns split (2 column tiles)
            checkThreadInvariance(Float.self, ta, tb, 97, 20, 600)   // rows split (1 column tile)
            checkThreadInvariance(Double.self, ta, tb, 26, 131, 270) // columns split
            checkThreadInvariance(Float.self, ta, tb, 128, 10, 256)  // below 2²⁰ but deep: split automatically
        }
    }

    /// A plain A read in place (twelve rows side by side), with ragged last row panels, odd
    /// leading dimensions and k-blocks; and rows 4 KB apart, which are packed instead (by
    /// 4 × 4 register transposes, with a k remainder).
    @Test func plainAInPlaceAndPacked() {
        for m in [12, 24, 25, 35, 128] {
            check(Float.self, .none, .none, m, 67, 130, beta: 0)
            check(Float.self, .none, .transposed, m, 45, 17, pad: 1)
            check(Double.self, .none, .none, m, 33, 29, beta: 1)
        }
        check(Float.self, .none, .transposed, 40, 64, 530, threads: 1)   // two k-blocks, A in place
        check(Float.self, .none, .none, 30, 50, 1001, threads: 1, pad: 23) // lda = 1024: packed
        check(Double.self, .none, .transposed, 29, 20, 511, threads: 1, pad: 1) // lda = 512: packed
    }

    /// The last row panel of every height 1…11 (4- and 8-row kernels, stored in place at
    /// heights 4 and 8, through the edge tile otherwise), under full and half-width B panels.
    @Test func raggedRowPanels() {
        for rows in 1..<12 {
            check(Float.self, .none, .none, 24 + rows, 64 + 16, 21)
            check(Float.self, .transposed, .transposed, 12 + rows, 40, 9, beta: 0)
            check(Double.self, .transposed, .none, 12 + rows, 16 + 8, 13, beta: 1)
        }
    }

    /// A transposed B is packed by 4 × 4 register transposes: full 32-wide panels with every k
    /// remainder modulo 4, next to ragged panels.
    @Test func transposedBPanels() {
        for k in [4, 5, 6, 7, 64, 131] {
            check(Float.self, .none, .transposed, 13, 64, k)
            check(Float.self, .transposed, .transposed, 30, 96, k, beta: 0, pad: 5)
            check(Double.self, .none, .transposed, 13, 37, k, beta: 1)
        }
    }

    /// B panels one vector wide or less run the half-width kernel: narrow products (a
    /// 10-class layer) and ragged last panels of exactly one vector, stored in place or
    /// through the edge tile, for β = 0, 1 and other.
    @Test func halfWidthPanels() {
        for beta in [0, 1, -0.5] as [Float] {
            for n in [1, 10, 16, 17, 48, 784 - 768] {
                check(Float.self, .none, .transposed, 128, n, 256, beta: beta)
                check(Float.self, .none, .none, 37, n + 32, 19, beta: beta)
            }
            check(Float.self, .transposed, .none, 25, 784, 31, beta: beta, pad: 0)
        }
        for n in [1, 8, 9, 24] {
            check(Double.self, .none, .transposed, 50, n, 70, beta: 0)
            check(Double.self, .transposed, .none, 11, n, 40, beta: 1)
        }
    }

    /// A B met by at most two row panels (m ≤ 24) is read in place, its ragged last panel
    /// packed; m = 4, 8, 16, 20 store the 4- and 8-row kernels' tiles straight into C.
    @Test func thinAReadsBInPlace() {
        for m in [1, 4, 8, 10, 12, 16, 20, 24] {
            check(Float.self, .transposed, .none, m, 256, 128, beta: 0)
            check(Float.self, .none, .none, m, 100, 33, pad: 1)
            check(Double.self, .transposed, .none, m, 45, 9)
        }
    }

    /// Every GEMM of an MLP 784-256-256-10 step at batch 128 — the forward product with β = 1
    /// as a dense layer calls it over its bias — against the triple loop, on 1, 2 and 3
    /// threads, bit for bit.
    @Test func mlpStepShapes() {
        let widths = [784, 256, 256, 10]
        for l in 1..<widths.count {
            let i = widths[l - 1], o = widths[l]
            checkThreadInvariance(Float.self, .none, .transposed, 128, o, i, alpha: 1, beta: 1)
            checkThreadInvariance(Float.self, .transposed, .none, o, i, 128, alpha: 1, beta: 0)
            if l > 1 { checkThreadInvariance(Float.self, .none, .none, 128, i, o, alpha: 1, beta: 0) }
        }
    }

    /// Products of alternating sizes from alternating thread counts reuse the scratch buffers
    /// of every thread: each still computes its own product.
    @Test func alternatingShapesReuseScratch() {
        for round in 0..<3 {
            for (m, n, k) in [(128, 256, 784), (10, 256, 128), (256, 784, 128), (128, 10, 256), (5, 7, 3)] {
                check(Float.self, .none, .transposed, m, n, k, threads: 1 + (round + m) % 2)
            }
        }
    }

    /// The row split shares each packed B panel between the threads: a product with several
    /// NC-wide panels (NC = 1024 for Double) and KC-deep blocks (512), ragged at every edge,
    /// split 2 and 3 ways.
    @Test func sharedPanelsAcrossBlocks() {
        checkThreadInvariance(Double.self, .transposed, .none, 790, 1030, 515)
    }

    /// From m·n·k = 2²⁷ on, a product with fewer row tiles than column tiles packs both
    /// operands and splits the columns: three row tiles (the last one 8 rows) by 129 column
    /// tiles (the last one ragged), three k-blocks, three NC-wide panels.
    @Test func packedColumnSplitOfWideProducts() {
        checkThreadInvariance(Float.self, .none, .transposed, 32, 4100, 1030, alpha: 1, beta: 0)
    }

    /// The epilogue against the separate passes it replaces, bit for bit: C's rows set to a bias
    /// row before a β = 1 product, ReLU(C) into a second matrix, and C masked by another, on
    /// every path (one thread, the column and row splits, both packed-panel paths) and for 1,
    /// 2 and 3 threads.
    func checkEpilogue<T: KernelScalar>(_: T.Type, _ ta: Transpose, _ tb: Transpose, _ m: Int, _ n: Int, _ k: Int) {
        let lda = ta == .none ? k : m, ldb = tb == .none ? n : k, ldc = n + 3, ldr = n + 1
        let a: [T] = uniformArray(m * k, seed: UInt64(m + 3 * k)), b: [T] = uniformArray(k * n, seed: UInt64(n + 5 * k))
        let bias: [T] = uniformArray(n, seed: 17)
        // A mask with negative entries, zeros and positive ones.
        let mask: [T] = uniformArray(m * ldr, seed: 19).enumerated().map { $0.offset % 7 == 0 ? 0 : $0.element }
        let start: [T] = uniformArray(m * ldc, seed: 23)
        func product(_ c: inout [T], beta: T, threads: Int, _ epilogue: (UnsafeMutablePointer<T>) -> GEMMEpilogue<T>,
                     into second: inout [T]) {
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        second.withUnsafeMutableBufferPointer { ps in
                            gemm(ta, tb, m, n, k, 1, pa.baseAddress!, lda, pb.baseAddress!, ldb, beta, pc.baseAddress!, ldc,
                                 threads: threads, epilogue: epilogue(ps.baseAddress!))
                        }
                    }
                }
            }
        }
        var unused = [T](repeating: 0, count: 1)
        // The separate passes.
        var biased = start
        for i in 0..<m { for j in 0..<n { biased[i * ldc + j] = bias[j] } }
        product(&biased, beta: 1, threads: 1, { _ in .none }, into: &unused)
        var relu = [T](repeating: -1, count: m * ldr)
        for i in 0..<m { for j in 0..<n { relu[i * ldr + j] = T.positivePart(T.Vector(repeating: biased[i * ldc + j]))[0] } }
        var plain = start
        product(&plain, beta: 0, threads: 1, { _ in .none }, into: &unused)
        var masked = plain
        for i in 0..<m { for j in 0..<n where !(mask[i * ldr + j] > 0) { masked[i * ldc + j] = 0 } }
        for threads in [1, 2, 3] {
            var c = start, r = [T](repeating: -1, count: m * ldr)
            bias.withUnsafeBufferPointer { pbias in
                product(&c, beta: 1, threads: threads, { GEMMEpilogue(rowInit: pbias.baseAddress!, relu: $0, reluStride: ldr) }, into: &r)
            }
            #expect(c == biased, "\(T.self) \(ta)/\(tb) \(m)×\(n)×\(k), \(threads) threads: bias row")
            #expect(r == relu, "\(T.self) \(ta)/\(tb) \(m)×\(n)×\(k), \(threads) threads: ReLU output")
            var d = start
            mask.withUnsafeBufferPointer { pm in
                product(&d, beta: 0, threads: threads, { _ in GEMMEpilogue(mask: pm.baseAddress!, maskStride: ldr) }, into: &unused)
            }
            #expect(d == masked, "\(T.self) \(ta)/\(tb) \(m)×\(n)×\(k), \(threads) threads: mask")
        }
    }

    @Test func epilogueEqualsTheSeparatePasses() {
        checkEpilogue(Float.self, .none, .transposed, 5, 7, 3)       // one thread, ragged tiles
        checkEpilogue(Float.self, .none, .transposed, 128, 256, 784) // a network layer: columns split, two k-blocks
        checkEpilogue(Float.self, .none, .none, 97, 45, 300)         // columns split, ragged
        checkEpilogue(Double.self, .transposed, .none, 97, 20, 600)  // rows split
        checkEpilogue(Float.self, .none, .transposed, 128, 10, 256)  // deep and narrow: split automatically
        checkEpilogue(Double.self, .transposed, .none, 790, 1030, 515) // rows split, shared packed panels
        checkEpilogue(Float.self, .none, .transposed, 32, 4100, 1030)  // packed column split
    }

    /// With k = 0 or α = 0 the epilogue still applies: C = β·rowInit, its ReLU, its mask.
    @Test func epilogueOfAnEmptyProduct() {
        let n = 5, bias: [Float] = [-1, 2, -3, 4, 0], mask: [Float] = [1, -1, 0, 2, 3]
        var c = [Float](repeating: 9, count: n), r = [Float](repeating: 9, count: n)
        bias.withUnsafeBufferPointer { pb in
            mask.withUnsafeBufferPointer { pm in
                c.withUnsafeMutableBufferPointer { pc in
                    r.withUnsafeMutableBufferPointer { pr in
                        gemm(.none, .none, 1, n, 0, 1, pb.baseAddress!, 1, pb.baseAddress!, n, 0.5, pc.baseAddress!, n,
                             epilogue: GEMMEpilogue(rowInit: pb.baseAddress!, relu: pr.baseAddress!, reluStride: n,
                                                    mask: pm.baseAddress!, maskStride: n))
                    }
                }
            }
        }
        #expect(c == [-0.5, 0, 0, 2, 0])
        #expect(r == [0, 0, 0, 2, 0])
    }
    /// A product whose A rows (or B rows) are gathered by index from a larger matrix, as a
    /// mini-batch from a data set: bit for bit the product of the rows copied out densely,
    /// which `check` compares with the triple loop, on every path and thread count — and
    /// close to the triple loop itself.
    func checkGathered<T: KernelScalar>(_: T.Type, gatherA: Bool, _ ta: Transpose, _ tb: Transpose, _ m: Int, _ n: Int, _ k: Int,
                                        epilogue: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) {
        // The gathered operand's stored rows: m of A (not transposed) or k of B (not transposed).
        let rows = gatherA ? m : k, width = gatherA ? k : n, ld = width + 5, setRows = 3 * rows + 7
        let data: [T] = uniformArray(setRows * ld, seed: UInt64(m * 31 + n * 7 + k))
        var rng = Xoshiro256(seed: UInt64(rows * 13 + width))
        // Random rows with repeats, and the last row of the set, whose end is the end of the buffer.
        var index = (0..<rows).map { _ in rng.nextInt(below: setRows) }
        index[rows / 2] = setRows - 1
        var dense = [T](repeating: 0, count: rows * width)
        for (r, i) in index.enumerated() { for j in 0..<width { dense[r * width + j] = data[i * ld + j] } }
        let other: [T] = uniformArray(gatherA ? (tb == .none ? k * n : n * k) : (ta == .none ? m * k : k * m), seed: 5)
        let lda = gatherA ? width : (ta == .none ? k : m), ldb = gatherA ? (tb == .none ? n : k) : width
        let bias: [T] = uniformArray(n, seed: 8), mask: [T] = uniformArray(m * n, seed: 9).map { $0 - 0.5 }
        func run(_ gathered: Bool, threads: Int) -> [T] {
            var c = [T](repeating: .nan, count: 2 * m * n)
            data.withUnsafeBufferPointer { pd in
                dense.withUnsafeBufferPointer { px in
                    other.withUnsafeBufferPointer { po in
                        index.withUnsafeBufferPointer { pi in
                            bias.withUnsafeBufferPointer { pb in
                                mask.withUnsafeBufferPointer { pm in
                                    c.withUnsafeMutableBufferPointer { pc in
                                        let x = gathered ? pd.baseAddress! : px.baseAddress!, xld = gathered ? ld : width
                                        let e = epilogue
                                            ? GEMMEpilogue(rowInit: pb.baseAddress!, relu: pc.baseAddress! + m * n, reluStride: n,
                                                           mask: pm.baseAddress!, maskStride: n)
                                            : .none
                                        let rows = gathered ? pi.baseAddress! : nil
                                        if gatherA {
                                            gemm(ta, tb, m, n, k, 0.75, x, xld, po.baseAddress!, ldb, epilogue ? 1 : 0, pc.baseAddress!, n,
                                                 threads: threads, epilogue: e, rowsOfA: rows)
                                        } else {
                                            gemm(ta, tb, m, n, k, 0.75, po.baseAddress!, lda, x, xld, epilogue ? 1 : 0, pc.baseAddress!, n,
                                                 threads: threads, epilogue: e, rowsOfB: rows)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return c
        }
        let label = "\(T.self) gathered \(gatherA ? "A" : "B") \(ta)/\(tb) \(m)×\(n)×\(k)"
        let reference = run(false, threads: 1)
        for threads in [0, 1, 2, 3] {
            let got = run(true, threads: threads)
            #expect(got.elementsEqual(reference, by: { $0 == $1 || ($0.isNaN && $1.isNaN) }), "\(label), \(threads) threads",
                    sourceLocation: sourceLocation)
        }
        guard !epilogue else { return }
        var want = [T](repeating: 0, count: m * n)
        let bound = gatherA
            ? naiveGemm(ta, tb, m, n, k, 0.75, dense, lda, other, ldb, 0, &want, n)
            : naiveGemm(ta, tb, m, n, k, 0.75, other, lda, dense, ldb, 0, &want, n)
        expectClose(Array(reference[0..<(m * n)]), want, bound: bound, ops: k + 2, label, sourceLocation: sourceLocation)
    }

    @Test func gatheredRowsEqualTheCopiedRows() {
        checkGathered(Float.self, gatherA: true, .none, .transposed, 5, 7, 3)           // one thread, one ragged tile
        checkGathered(Float.self, gatherA: true, .none, .transposed, 128, 256, 784)     // a network's first layer: columns split
        checkGathered(Float.self, gatherA: true, .none, .transposed, 128, 256, 784, epilogue: true)
        checkGathered(Float.self, gatherA: true, .none, .none, 130, 17, 300)            // ragged rows, a half-width panel
        checkGathered(Double.self, gatherA: true, .none, .none, 97, 20, 600)            // rows split
        checkGathered(Float.self, gatherA: true, .none, .transposed, 790, 1030, 170)    // rows split, shared packed panels
        checkGathered(Float.self, gatherA: false, .transposed, .none, 256, 784, 128)    // the first layer's weight gradient
        checkGathered(Float.self, gatherA: false, .transposed, .none, 7, 5, 3)
        checkGathered(Float.self, gatherA: false, .none, .none, 20, 40, 9)              // B met by two row panels: packed anyway
        checkGathered(Double.self, gatherA: false, .none, .none, 97, 45, 300, epilogue: true)
        checkGathered(Float.self, gatherA: false, .none, .none, 32, 4100, 1030)         // packed column split
        checkGathered(Float.self, gatherA: false, .transposed, .none, 790, 1030, 170)   // rows split, shared packed panels
    }
}
