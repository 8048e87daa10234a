import OptBenchKernels
import TestSupport
import Testing

/// GEMM against the triple loop: every transpose pair, awkward shapes around the register tiles
/// (12 × 2w and 6 × 2h) and the cache blocks, padded leading dimensions, offset views, β = 0
/// over NaN, and bit-identical results for every thread count — each on every register tile
/// (`KernelISA.allCases`: both run on any x86-64 this builds for, so an AVX-512 machine tests
/// the AVX2 tile and an AVX2 machine the AVX-512 one).
@Suite struct GEMMTests {
    static let isas = KernelISA.allCases

    static let transposes: [(Transpose, Transpose)] = [
        (.none, .none), (.none, .transposed), (.transposed, .none), (.transposed, .transposed),
    ]

    /// Runs `gemm` on views at an offset inside padded buffers and compares with `naiveGemm`.
    /// Returns C (with padding) so callers can compare runs bit for bit.
    @discardableResult
    func check<T: KernelScalar>(
        _ isa: KernelISA, _: T.Type, _ ta: Transpose, _ tb: Transpose, _ m: Int, _ n: Int, _ k: Int,
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
                         beta, pc.baseAddress! + offset, ldc, threads: threads, isa: isa)
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
        expectClose(gotC, wantC, bound: bound, ops: k + 2, "\(isa) \(T.self) \(ta)/\(tb) m=\(m) n=\(n) k=\(k) threads=\(threads)",
                    sourceLocation: sourceLocation)
        // Padding between rows and before the view is never written.
        for i in 0..<m where pad > 0 {
            let row = offset + i * ldc
            #expect(c[(row + n)..<(row + ldc)].elementsEqual(c0[(row + n)..<(row + ldc)], by: { $0 == $1 || ($0.isNaN && $1.isNaN) }),
                    sourceLocation: sourceLocation)
        }
        return c
    }

    @Test(arguments: isas, [1, 5, 6, 12, 13, 67])
    func smallShapesAllTransposes(isa: KernelISA, m: Int) {
        for (ta, tb) in Self.transposes {
            for n in [1, 17, 32, 33, 67] {
                for k in [1, 3, 31, 67] {
                    check(isa, Float.self, ta, tb, m, n, k)
                    check(isa, Double.self, ta, tb, m, n, k)
                }
            }
        }
    }

    @Test(arguments: isas) func betaZeroIgnoresNaNInC(isa: KernelISA) {
        for (ta, tb) in Self.transposes {
            check(isa, Float.self, ta, tb, 13, 35, 19, beta: 0)
            check(isa, Double.self, ta, tb, 29, 17, 8, beta: 0)
        }
    }

    @Test(arguments: isas) func alphaZeroOrEmptyKOnlyScalesC(isa: KernelISA) {
        check(isa, Double.self, .none, .none, 7, 9, 5, alpha: 0, beta: 2)
        check(isa, Float.self, .none, .transposed, 7, 9, 0, beta: 0.5)
        check(isa, Double.self, .transposed, .none, 7, 9, 0, beta: 0)
    }

    @Test(arguments: isas) func contiguousOperandsWithoutPadding(isa: KernelISA) {
        for (ta, tb) in Self.transposes {
            check(isa, Float.self, ta, tb, 24, 64, 16, pad: 0, offset: 0)
            check(isa, Double.self, ta, tb, 37, 41, 43, pad: 0, offset: 0)
        }
    }

    /// Shapes beyond one cache block in every dimension (KC = 512, MC ≤ 192, NC ≥ 1024).
    @Test(arguments: isas) func crossesCacheBlocks(isa: KernelISA) {
        check(isa, Float.self, .none, .none, 150, 70, 530, threads: 1)
        check(isa, Double.self, .transposed, .transposed, 101, 40, 300, threads: 2)
        check(isa, Float.self, .none, .transposed, 5, 2100, 9, threads: 1)
        check(isa, Double.self, .transposed, .none, 3, 1100, 261, threads: 2)
    }

    /// The MLP layer shape the optimizers run most.
    @Test(arguments: isas) func miniBatchLayer(isa: KernelISA) {
        check(isa, Float.self, .none, .none, 64, 128, 784, beta: 0)
        check(isa, Float.self, .transposed, .none, 784, 128, 64, beta: 0)
        check(isa, Double.self, .none, .transposed, 64, 784, 128, beta: 0)
    }

    func checkThreadInvariance<T: KernelScalar>(
        _ isa: KernelISA, _: T.Type, _ ta: Transpose, _ tb: Transpose, _ m: Int, _ n: Int, _ k: Int, alpha: T = 0.75, beta: T = -0.5
    ) {
        let one = check(isa, T.self, ta, tb, m, n, k, alpha: alpha, beta: beta, threads: 1)
        // 0 is the automatic count: one thread below m·n·k = 2²⁰ (2¹⁸ when k ≥ 128), every active core above.
        for threads in [0, 2, 3] {
            let many = check(isa, T.self, ta, tb, m, n, k, alpha: alpha, beta: beta, threads: threads)
            #expect(one.elementsEqual(many, by: { $0 == $1 || ($0.isNaN && $1.isNaN) }),
                    "\(isa) \(T.self) \(ta)/\(tb) \(m)×\(n)×\(k): threads=\(threads) differs from 1")
        }
    }

    @Test(arguments: isas) func bitIdenticalForEveryThreadCount(isa: KernelISA) {
        for (ta, tb) in Self.transposes {
            checkThreadInvariance(isa, Float.self, ta, tb, 97, 45, 300)   // columns split (2 column tiles)
            checkThreadInvariance(isa, Float.self, ta, tb, 97, 20, 600)   // rows split (1 column tile)
            checkThreadInvariance(isa, Double.self, ta, tb, 26, 131, 270) // columns split
            checkThreadInvariance(isa, Float.self, ta, tb, 128, 10, 256)  // below 2²⁰ but deep: split automatically
        }
    }

    /// A plain A read in place (twelve rows side by side), with ragged last row panels, odd
    /// leading dimensions and k-blocks; and rows 4 KB apart, which are packed instead (by
    /// 4 × 4 register transposes, with a k remainder).
    @Test(arguments: isas) func plainAInPlaceAndPacked(isa: KernelISA) {
        for m in [12, 24, 25, 35, 128] {
            check(isa, Float.self, .none, .none, m, 67, 130, beta: 0)
            check(isa, Float.self, .none, .transposed, m, 45, 17, pad: 1)
            check(isa, Double.self, .none, .none, m, 33, 29, beta: 1)
        }
        check(isa, Float.self, .none, .transposed, 40, 64, 530, threads: 1)   // two k-blocks, A in place
        check(isa, Float.self, .none, .none, 30, 50, 1001, threads: 1, pad: 23) // lda = 1024: packed
        check(isa, Double.self, .none, .transposed, 29, 20, 511, threads: 1, pad: 1) // lda = 512: packed
    }

    /// The last row panel of every height 1…11 (the 12-row tile's 4- and 8-row kernels, stored in
    /// place at heights 4 and 8; the 6-row tile's 2- and 4-row kernels at heights 2 and 4; through
    /// the edge tile otherwise), under full and half-width B panels.
    @Test(arguments: isas) func raggedRowPanels(isa: KernelISA) {
        for rows in 1..<12 {
            check(isa, Float.self, .none, .none, 24 + rows, 64 + 16, 21)
            check(isa, Float.self, .transposed, .transposed, 12 + rows, 40, 9, beta: 0)
            check(isa, Double.self, .transposed, .none, 12 + rows, 16 + 8, 13, beta: 1)
        }
    }

    /// A transposed B is packed by 4 × 4 register transposes: full 32-wide panels with every k
    /// remainder modulo 4, next to ragged panels.
    @Test(arguments: isas) func transposedBPanels(isa: KernelISA) {
        for k in [4, 5, 6, 7, 64, 131] {
            check(isa, Float.self, .none, .transposed, 13, 64, k)
            check(isa, Float.self, .transposed, .transposed, 30, 96, k, beta: 0, pad: 5)
            check(isa, Double.self, .none, .transposed, 13, 37, k, beta: 1)
        }
    }

    /// B panels one vector wide or less run the half-width kernel: narrow products (a
    /// 10-class layer) and ragged last panels of exactly one vector, stored in place or
    /// through the edge tile, for β = 0, 1 and other.
    @Test(arguments: isas) func halfWidthPanels(isa: KernelISA) {
        for beta in [0, 1, -0.5] as [Float] {
            for n in [1, 10, 16, 17, 48, 784 - 768] {
                check(isa, Float.self, .none, .transposed, 128, n, 256, beta: beta)
                check(isa, Float.self, .none, .none, 37, n + 32, 19, beta: beta)
            }
            check(isa, Float.self, .transposed, .none, 25, 784, 31, beta: beta, pad: 0)
        }
        for n in [1, 8, 9, 24] {
            check(isa, Double.self, .none, .transposed, 50, n, 70, beta: 0)
            check(isa, Double.self, .transposed, .none, 11, n, 40, beta: 1)
        }
    }

    /// A B met by at most two row panels (m ≤ 2·MR) is read in place, its ragged last panel
    /// packed; m = 4, 8, 16, 20 store the 12-row tile's 4- and 8-row kernels' tiles straight
    /// into C, m = 2, 4, 8, 10 the 6-row tile's 2- and 4-row ones.
    @Test(arguments: isas) func thinAReadsBInPlace(isa: KernelISA) {
        for m in [1, 2, 4, 6, 8, 10, 12, 16, 20, 24] {
            check(isa, Float.self, .transposed, .none, m, 256, 128, beta: 0)
            check(isa, Float.self, .none, .none, m, 100, 33, pad: 1)
            check(isa, Double.self, .transposed, .none, m, 45, 9)
        }
    }

    /// Every GEMM of an MLP 784-256-256-10 step at batch 128 — the forward product with β = 1
    /// as a dense layer calls it over its bias — against the triple loop, on 1, 2 and 3
    /// threads, bit for bit.
    @Test(arguments: isas) func mlpStepShapes(isa: KernelISA) {
        let widths = [784, 256, 256, 10]
        for l in 1..<widths.count {
            let i = widths[l - 1], o = widths[l]
            checkThreadInvariance(isa, Float.self, .none, .transposed, 128, o, i, alpha: 1, beta: 1)
            checkThreadInvariance(isa, Float.self, .transposed, .none, o, i, 128, alpha: 1, beta: 0)
            if l > 1 { checkThreadInvariance(isa, Float.self, .none, .none, 128, i, o, alpha: 1, beta: 0) }
        }
    }

    /// Products of alternating sizes from alternating thread counts reuse the scratch buffers
    /// of every thread: each still computes its own product.
    @Test(arguments: isas) func alternatingShapesReuseScratch(isa: KernelISA) {
        for round in 0..<3 {
            for (m, n, k) in [(128, 256, 784), (10, 256, 128), (256, 784, 128), (128, 10, 256), (5, 7, 3)] {
                check(isa, Float.self, .none, .transposed, m, n, k, threads: 1 + (round + m) % 2)
            }
        }
    }

    /// The row split shares each packed B panel between the threads: a product with several
    /// NC-wide panels (NC = 1024 for Double) and KC-deep blocks (512), ragged at every edge,
    /// split 2 and 3 ways.
    @Test(arguments: isas) func sharedPanelsAcrossBlocks(isa: KernelISA) {
        checkThreadInvariance(isa, Double.self, .transposed, .none, 790, 1030, 515)
    }

    /// From m·n·k = 2²⁷ on, a product with fewer row tiles than column tiles packs both
    /// operands and splits the columns: three row tiles (the last one 8 rows) by 129 column
    /// tiles (the last one ragged), three k-blocks, three NC-wide panels.
    @Test(arguments: isas) func packedColumnSplitOfWideProducts(isa: KernelISA) {
        checkThreadInvariance(isa, Float.self, .none, .transposed, 32, 4100, 1030, alpha: 1, beta: 0)
    }

    /// The epilogue against the separate passes it replaces, bit for bit: C's rows set to a bias
    /// row before a β = 1 product, ReLU(C) into a second matrix, and C masked by another, on
    /// every path (one thread, the column and row splits, both packed-panel paths) and for 1,
    /// 2 and 3 threads.
    func checkEpilogue<T: KernelScalar>(_ isa: KernelISA, _: T.Type, _ ta: Transpose, _ tb: Transpose, _ m: Int, _ n: Int, _ k: Int) {
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
                                 threads: threads, epilogue: epilogue(ps.baseAddress!), isa: isa)
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

    @Test(arguments: isas) func epilogueEqualsTheSeparatePasses(isa: KernelISA) {
        checkEpilogue(isa, Float.self, .none, .transposed, 5, 7, 3)       // one thread, ragged tiles
        checkEpilogue(isa, Float.self, .none, .transposed, 128, 256, 784) // a network layer: columns split, two k-blocks
        checkEpilogue(isa, Float.self, .none, .none, 97, 45, 300)         // columns split, ragged
        checkEpilogue(isa, Double.self, .transposed, .none, 97, 20, 600)  // rows split
        checkEpilogue(isa, Float.self, .none, .transposed, 128, 10, 256)  // deep and narrow: split automatically
        checkEpilogue(isa, Double.self, .transposed, .none, 790, 1030, 515) // rows split, shared packed panels
        checkEpilogue(isa, Float.self, .none, .transposed, 32, 4100, 1030)  // packed column split
    }

    /// With k = 0 or α = 0 the epilogue still applies: C = β·rowInit, its ReLU, its mask.
    @Test(arguments: isas) func epilogueOfAnEmptyProduct(isa: KernelISA) {
        let n = 5, bias: [Float] = [-1, 2, -3, 4, 0], mask: [Float] = [1, -1, 0, 2, 3]
        var c = [Float](repeating: 9, count: n), r = [Float](repeating: 9, count: n)
        bias.withUnsafeBufferPointer { pb in
            mask.withUnsafeBufferPointer { pm in
                c.withUnsafeMutableBufferPointer { pc in
                    r.withUnsafeMutableBufferPointer { pr in
                        gemm(.none, .none, 1, n, 0, 1, pb.baseAddress!, 1, pb.baseAddress!, n, 0.5, pc.baseAddress!, n,
                             epilogue: GEMMEpilogue(rowInit: pb.baseAddress!, relu: pr.baseAddress!, reluStride: n,
                                                    mask: pm.baseAddress!, maskStride: n), isa: isa)
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
    func checkGathered<T: KernelScalar>(_ isa: KernelISA, _: T.Type, gatherA: Bool, _ ta: Transpose, _ tb: Transpose, _ m: Int, _ n: Int, _ k: Int,
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
                                                 threads: threads, epilogue: e, rowsOfA: rows, isa: isa)
                                        } else {
                                            gemm(ta, tb, m, n, k, 0.75, po.baseAddress!, lda, x, xld, epilogue ? 1 : 0, pc.baseAddress!, n,
                                                 threads: threads, epilogue: e, rowsOfB: rows, isa: isa)
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
        let label = "\(isa) \(T.self) gathered \(gatherA ? "A" : "B") \(ta)/\(tb) \(m)×\(n)×\(k)"
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

    @Test(arguments: isas) func gatheredRowsEqualTheCopiedRows(isa: KernelISA) {
        checkGathered(isa, Float.self, gatherA: true, .none, .transposed, 5, 7, 3)           // one thread, one ragged tile
        checkGathered(isa, Float.self, gatherA: true, .none, .transposed, 128, 256, 784)     // a network's first layer: columns split
        checkGathered(isa, Float.self, gatherA: true, .none, .transposed, 128, 256, 784, epilogue: true)
        checkGathered(isa, Float.self, gatherA: true, .none, .none, 130, 17, 300)            // ragged rows, a half-width panel
        checkGathered(isa, Double.self, gatherA: true, .none, .none, 97, 20, 600)            // rows split
        checkGathered(isa, Float.self, gatherA: true, .none, .transposed, 790, 1030, 170)    // rows split, shared packed panels
        checkGathered(isa, Float.self, gatherA: false, .transposed, .none, 256, 784, 128)    // the first layer's weight gradient
        checkGathered(isa, Float.self, gatherA: false, .transposed, .none, 7, 5, 3)
        checkGathered(isa, Float.self, gatherA: false, .none, .none, 20, 40, 9)              // B met by two row panels: packed anyway
        checkGathered(isa, Double.self, gatherA: false, .none, .none, 97, 45, 300, epilogue: true)
        checkGathered(isa, Float.self, gatherA: false, .none, .none, 32, 4100, 1030)         // packed column split
        checkGathered(isa, Float.self, gatherA: false, .transposed, .none, 790, 1030, 170)   // rows split, shared packed panels
    }

    /// The register tiles sum every entry in the same order (one FMA chain per k-block, the
    /// k-blocks the same for both), so they differ only in which entries share registers: the
    /// products are bit-identical across ISAs, on every path — one thread, the column and row
    /// splits, shared packed panels, gathered rows, the epilogue's bias row.
    @Test func everyTileGivesTheSameBits() {
        func product<T: KernelScalar>(_ isa: KernelISA, _: T.Type, _ ta: Transpose, _ tb: Transpose, _ m: Int, _ n: Int, _ k: Int,
                                      threads: Int, bias: Bool = false) -> [T] {
            let a: [T] = uniformArray(m * k, seed: UInt64(m + k)), b: [T] = uniformArray(k * n, seed: UInt64(n + 2 * k))
            let row: [T] = uniformArray(n, seed: 3)
            var c: [T] = uniformArray(m * n, seed: 4)
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    row.withUnsafeBufferPointer { pr in
                        c.withUnsafeMutableBufferPointer { pc in
                            gemm(ta, tb, m, n, k, 0.75, pa.baseAddress!, ta == .none ? k : m, pb.baseAddress!, tb == .none ? n : k,
                                 bias ? 1 : -0.5, pc.baseAddress!, n, threads: threads,
                                 epilogue: bias ? GEMMEpilogue(rowInit: pr.baseAddress!) : .none, isa: isa)
                        }
                    }
                }
            }
            return c
        }
        let shapes: [(Transpose, Transpose, Int, Int, Int)] = [
            (.none, .none, 5, 7, 3), (.none, .transposed, 64, 128, 784), (.transposed, .none, 128, 10, 256),
            (.transposed, .transposed, 97, 45, 1100), (.none, .none, 790, 1030, 170), (.none, .transposed, 32, 4100, 600),
        ]
        for (ta, tb, m, n, k) in shapes {
            for threads in [1, 2] {
                let f = Self.isas.map { product($0, Float.self, ta, tb, m, n, k, threads: threads, bias: m == 64) }
                let d = Self.isas.map { product($0, Double.self, ta, tb, m, n, k, threads: threads) }
                for i in 1..<Self.isas.count {
                    #expect(f[i] == f[0], "Float \(ta)/\(tb) \(m)×\(n)×\(k), \(threads) threads: \(Self.isas[i]) ≠ \(Self.isas[0])")
                    #expect(d[i] == d[0], "Double \(ta)/\(tb) \(m)×\(n)×\(k), \(threads) threads: \(Self.isas[i]) ≠ \(Self.isas[0])")
                }
            }
        }
    }
}
