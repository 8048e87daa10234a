import OptBenchKernels
import TestSupport
import Testing

/// The phased strided-convolution kernels against the definitions of a strided convolution,
/// its weight gradient and its input gradient (naive loops in float64), on strides 2 and 3,
/// paddings 0 to 2, kernels 2 to 4, odd and even sizes and channel counts that do not fill a
/// register block, in float32 and float64, on every register tile (`KernelISA`). Each kernel runs
/// on two samples in turn through the same buffers, as a layer reuses them.
@Suite struct PhasedConvolutionTests {
    /// (channels, height, width, kernel, stride, padding, outputs).
    static let cases: [(Int, Int, Int, Int, Int, Int, Int)] = [
        (1, 6, 5, 3, 2, 1, 16), (3, 7, 9, 3, 2, 0, 5), (2, 8, 8, 2, 2, 1, 17), (4, 14, 14, 3, 2, 1, 33),
        (2, 9, 7, 3, 3, 1, 3), (3, 5, 6, 4, 2, 2, 18), (16, 28, 28, 3, 2, 1, 32),
    ]

    static func geometry(_ c: (Int, Int, Int, Int, Int, Int, Int)) -> ConvolutionGeometry {
        ConvolutionGeometry(channels: c.0, height: c.1, width: c.2, kernel: c.3, stride: c.4, padding: c.5)
    }

    /// The input index of patch entry (c, i, j) of output (h, w), nil in the padding.
    static func source(_ g: ConvolutionGeometry, _ c: Int, _ i: Int, _ j: Int, _ h: Int, _ w: Int) -> Int? {
        let r = h * g.stride - g.padding + i, v = w * g.stride - g.padding + j
        guard r >= 0, r < g.height, v >= 0, v < g.width else { return nil }
        return (c * g.height + r) * g.width + v
    }

    func run<T: KernelScalar>(_ isa: KernelISA, _: T.Type, _ c: (Int, Int, Int, Int, Int, Int, Int), rtol: Double) {
        let g = Self.geometry(c), outputs = c.6, k = g.kernel, ho = g.outputHeight, wo = g.outputWidth
        #expect(g.isPhased)
        let size = g.channels * g.height * g.width, outSize = outputs * ho * wo, r = directConvolutionRows
        let weights: [T] = uniformArray(outputs * g.patchSize, seed: 21)
        var packed = [T](repeating: .nan, count: (outputs + r - 1) / r * r * g.patchSize)
        weights.withUnsafeBufferPointer { wb in
            packed.withUnsafeMutableBufferPointer {
                packConvolutionWeights(outputs: outputs, inputs: g.channels, kernel: k, wb.baseAddress!, flipped: false, $0.baseAddress!)
            }
        }
        let offsets = (0..<g.patchSize).map { g.phaseOffset(entry: $0, T.self) }
        let blockRows = (g.channels + r - 1) / r * r
        var phases = [T](repeating: 0, count: g.phaseCount(T.self))
        var gradientGrid = [T](repeating: 0, count: outputs * g.phaseGradientPlane(T.self) + T.lanes)
        var grid = [T](repeating: .nan, count: (max(outputs, g.channels) + r - 1) / r * r
                                                  * max(g.phaseGridStride(T.self), g.phasePlaneStride(T.self)))
        for sample in 0..<2 {
            let x: [T] = uniformArray(size, seed: UInt64(30 + sample)), dy: [T] = uniformArray(outSize, seed: UInt64(40 + sample))
            let xd = x.map { Double($0) }, dyd = dy.map { Double($0) }, wd = weights.map { Double($0) }
            // Forward: the output rows at h·W_q of the grid.
            let ld = g.phaseGridStride(T.self)
            x.withUnsafeBufferPointer { xb in phases.withUnsafeMutableBufferPointer { splitPhases(g, xb.baseAddress!, $0.baseAddress!) } }
            phases.withUnsafeBufferPointer { pb in
                packed.withUnsafeBufferPointer { wb in
                    grid.withUnsafeMutableBufferPointer {
                        offsetConvolution(entries: g.patchSize, offsets, positions: g.phaseGridCount, outputs: outputs,
                                          wb.baseAddress!, pb.baseAddress!, $0.baseAddress!, ldout: ld, isa: isa)
                    }
                }
            }
            var worst = 0.0
            for o in 0..<outputs {
                for h in 0..<ho {
                    for w in 0..<wo {
                        var t = 0.0
                        for ch in 0..<g.channels {
                            for i in 0..<k {
                                for j in 0..<k {
                                    if let s = Self.source(g, ch, i, j, h, w) { t += wd[(o * g.channels + ch) * k * k + i * k + j] * xd[s] }
                                }
                            }
                        }
                        let got = Double(grid[o * ld + h * g.phaseWidth + w])
                        worst = max(worst, abs(got - t) / (rtol * (1 + abs(t)) * Double(g.patchSize)))
                    }
                }
            }
            #expect(worst <= 1, "\(isa) \(T.self) \(g) forward, sample \(sample): \(worst)")

            // Weight gradient, from the output gradient laid out position-major.
            let dyStride = outputGradientBlocks(T.self, outputs: outputs) * T.lanes * ho * wo
            var dyt = [T](repeating: .nan, count: dyStride)
            var dw = [T](repeating: 0, count: outputs * g.patchSize)
            dy.withUnsafeBufferPointer { db in
                dyt.withUnsafeMutableBufferPointer { transposeOutputGradient(outputs: outputs, positions: ho * wo, db.baseAddress!, $0.baseAddress!) }
            }
            dyt.withUnsafeBufferPointer { tb in
                phases.withUnsafeBufferPointer { pb in
                    dw.withUnsafeMutableBufferPointer {
                        convolutionWeightGradientByChannel(entries: g.patchSize, offsets, outputs: outputs, samples: 1, height: ho, width: wo,
                                                           rowStride: g.phaseWidth, sampleStride: g.phaseCount(T.self), tb.baseAddress!,
                                                           dyStride: dyStride, pb.baseAddress!, $0.baseAddress!, isa: isa)
                    }
                }
            }
            worst = 0
            for o in 0..<outputs {
                for e in 0..<g.patchSize {
                    let ch = e / (k * k), i = e / k % k, j = e % k
                    var t = 0.0
                    for h in 0..<ho { for w in 0..<wo { if let s = Self.source(g, ch, i, j, h, w) { t += dyd[(o * ho + h) * wo + w] * xd[s] } } }
                    worst = max(worst, abs(Double(dw[o * g.patchSize + e]) - t) / (rtol * (1 + abs(t)) * Double(ho * wo)))
                }
            }
            #expect(worst <= 1, "\(isa) \(T.self) \(g) weight gradient, sample \(sample): \(worst)")

            // Input gradient: every phase's adjoint product, merged into dx.
            var dx = [T](repeating: .nan, count: size)
            dy.withUnsafeBufferPointer { db in
                gradientGrid.withUnsafeMutableBufferPointer { placePhaseGradient(g, outputs: outputs, db.baseAddress!, $0.baseAddress!) }
            }
            for a in 0..<g.stride {
                for b in 0..<g.stride {
                    let n = phaseEntries(g, a: a, b: b)
                    var adjoint = [T](repeating: .nan, count: blockRows * outputs * n), table = [Int](repeating: -1, count: outputs * n)
                    weights.withUnsafeBufferPointer { wb in
                        adjoint.withUnsafeMutableBufferPointer { ab in
                            table.withUnsafeMutableBufferPointer {
                                packPhaseAdjoint(g, outputs: outputs, a: a, b: b, wb.baseAddress!, ab.baseAddress!, offsets: $0.baseAddress!)
                            }
                        }
                    }
                    let planeStride = g.phasePlaneStride(T.self)
                    gradientGrid.withUnsafeBufferPointer { gb in
                        adjoint.withUnsafeBufferPointer { ab in
                            grid.withUnsafeMutableBufferPointer {
                                offsetConvolution(entries: outputs * n, table, positions: g.phaseHeight * g.phaseWidth, outputs: g.channels,
                                                  ab.baseAddress!, gb.baseAddress!, $0.baseAddress!, ldout: planeStride, isa: isa)
                            }
                        }
                    }
                    grid.withUnsafeBufferPointer { gb in
                        dx.withUnsafeMutableBufferPointer { mergePhase(g, a: a, b: b, gb.baseAddress!, ld: planeStride, $0.baseAddress!) }
                    }
                }
            }
            var expected = [Double](repeating: 0, count: size)
            for o in 0..<outputs {
                for ch in 0..<g.channels {
                    for i in 0..<k {
                        for j in 0..<k {
                            for h in 0..<ho {
                                for w in 0..<wo {
                                    if let s = Self.source(g, ch, i, j, h, w) {
                                        expected[s] += wd[(o * g.channels + ch) * k * k + i * k + j] * dyd[(o * ho + h) * wo + w]
                                    }
                                }
                            }
                        }
                    }
                }
            }
            worst = 0
            for s in 0..<size { worst = max(worst, abs(Double(dx[s]) - expected[s]) / (rtol * (1 + abs(expected[s])) * Double(outputs * k * k))) }
            #expect(worst <= 1, "\(isa) \(T.self) \(g) input gradient, sample \(sample): \(worst)")
        }
    }

    @Test(arguments: KernelISA.allCases, cases)
    func phasedKernelsMatchTheDefinitionsFloat(isa: KernelISA, _ c: (Int, Int, Int, Int, Int, Int, Int)) { run(isa, Float.self, c, rtol: 1e-6) }

    @Test(arguments: KernelISA.allCases, cases)
    func phasedKernelsMatchTheDefinitionsDouble(isa: KernelISA, _ c: (Int, Int, Int, Int, Int, Int, Int)) { run(isa, Double.self, c, rtol: 1e-14) }
}
