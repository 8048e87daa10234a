import OptBenchKernels
import TestSupport
import Testing

/// The convolution kernels sum every output in the same order whatever the register tile — the
/// tile only decides which outputs share registers — so each kernel's results are bit-identical
/// across `KernelISA`s (each kernel is checked against its definition in its own suite), on
/// shapes whose channels fill no tile: 37 and 13 outputs, 19 channels.
@Suite struct ConvolutionTileTests {
    /// Whether `compute` gives the same array on every ISA.
    func sameOnEveryTile<T: KernelScalar>(_ label: String, _ compute: (KernelISA) -> [T]) {
        let results = KernelISA.allCases.map(compute)
        for (isa, r) in zip(KernelISA.allCases, results).dropFirst() {
            #expect(r == results[0], "\(label) \(T.self): \(isa) differs from \(KernelISA.allCases[0])")
        }
    }

    func directKernels<T: KernelScalar>(_: T.Type) {
        let g = ConvolutionGeometry(channels: 19, height: 9, width: 11, kernel: 3, stride: 1, padding: 1), outputs = 37
        let r = directConvolutionRows, ld = g.gridStride(T.self), positions = g.outputPixels
        let x: [T] = uniformArray(2 * g.channels * positions, seed: 1), w: [T] = uniformArray(outputs * g.patchSize, seed: 2)
        let dy: [T] = uniformArray(2 * outputs * positions, seed: 3)
        var packed = [T](repeating: 0, count: (outputs + r - 1) / r * r * g.patchSize)
        var xp = [T](repeating: 0, count: 2 * g.paddedCount(T.self))
        let dyStride = outputGradientBlocks(T.self, outputs: outputs) * T.lanes * positions
        var dyt = [T](repeating: 0, count: 2 * dyStride)
        w.withUnsafeBufferPointer { wb in
            packed.withUnsafeMutableBufferPointer {
                packConvolutionWeights(outputs: outputs, inputs: g.channels, kernel: 3, wb.baseAddress!, flipped: false, $0.baseAddress!)
            }
        }
        x.withUnsafeBufferPointer { xb in
            dy.withUnsafeBufferPointer { db in
                for s in 0..<2 {
                    xp.withUnsafeMutableBufferPointer {
                        padImage(g, xb.baseAddress! + s * g.channels * positions, $0.baseAddress! + s * g.paddedCount(T.self))
                    }
                    dyt.withUnsafeMutableBufferPointer {
                        transposeOutputGradient(outputs: outputs, positions: positions, db.baseAddress! + s * outputs * positions,
                                                $0.baseAddress! + s * dyStride)
                    }
                }
            }
        }
        sameOnEveryTile("directConvolution") { isa in
            var out = [T](repeating: 0, count: (outputs + r - 1) / r * r * ld)
            packed.withUnsafeBufferPointer { pb in
                xp.withUnsafeBufferPointer { xb in
                    out.withUnsafeMutableBufferPointer {
                        directConvolution(g, outputs: outputs, pb.baseAddress!, xb.baseAddress!, $0.baseAddress!, ldout: ld, isa: isa)
                    }
                }
            }
            return out
        }
        sameOnEveryTile("directConvolutionWeightGradientByChannel") { isa in
            var dw: [T] = uniformArray(outputs * g.patchSize, seed: 4)
            dyt.withUnsafeBufferPointer { tb in
                xp.withUnsafeBufferPointer { xb in
                    dw.withUnsafeMutableBufferPointer {
                        directConvolutionWeightGradientByChannel(g, outputs: outputs, samples: 2, tb.baseAddress!, dyStride: dyStride,
                                                                 xb.baseAddress!, $0.baseAddress!, isa: isa)
                    }
                }
            }
            return dw
        }
    }

    @Test func directKernelsFloat() { directKernels(Float.self) }
    @Test func directKernelsDouble() { directKernels(Double.self) }

    func phasedForward<T: KernelScalar>(_: T.Type) {
        let g = ConvolutionGeometry(channels: 19, height: 14, width: 13, kernel: 3, stride: 2, padding: 1), outputs = 13
        let r = directConvolutionRows, ld = g.phaseGridStride(T.self)
        let x: [T] = uniformArray(g.channels * g.height * g.width, seed: 5), w: [T] = uniformArray(outputs * g.patchSize, seed: 6)
        var packed = [T](repeating: 0, count: (outputs + r - 1) / r * r * g.patchSize)
        var phases = [T](repeating: 0, count: g.phaseCount(T.self))
        w.withUnsafeBufferPointer { wb in
            packed.withUnsafeMutableBufferPointer {
                packConvolutionWeights(outputs: outputs, inputs: g.channels, kernel: 3, wb.baseAddress!, flipped: false, $0.baseAddress!)
            }
        }
        x.withUnsafeBufferPointer { xb in phases.withUnsafeMutableBufferPointer { splitPhases(g, xb.baseAddress!, $0.baseAddress!) } }
        let offsets = (0..<g.patchSize).map { g.phaseOffset(entry: $0, T.self) }
        sameOnEveryTile("offsetConvolution") { isa in
            var out = [T](repeating: 0, count: (outputs + r - 1) / r * r * ld)
            packed.withUnsafeBufferPointer { pb in
                phases.withUnsafeBufferPointer { xb in
                    out.withUnsafeMutableBufferPointer {
                        offsetConvolution(entries: g.patchSize, offsets, positions: g.phaseGridCount, outputs: outputs, pb.baseAddress!,
                                          xb.baseAddress!, $0.baseAddress!, ldout: ld, isa: isa)
                    }
                }
            }
            return out
        }
    }

    @Test func phasedForwardFloat() { phasedForward(Float.self) }
    @Test func phasedForwardDouble() { phasedForward(Double.self) }

    func productTransposed<T: KernelScalar>(_: T.Type) {
        let (m, n, k) = (13, 37, 211)
        let a: [T] = uniformArray(m * k, seed: 7), b: [T] = uniformArray(n * k, seed: 8), c0: [T] = uniformArray(m * n, seed: 9)
        sameOnEveryTile("accumulateProductTransposed") { isa in
            var c = c0
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    c.withUnsafeMutableBufferPointer { accumulateProductTransposed(m, n, k, ap.baseAddress!, k, bp.baseAddress!, k, $0.baseAddress!, n, isa: isa) }
                }
            }
            return c
        }
    }

    @Test func productTransposedFloat() { productTransposed(Float.self) }
    @Test func productTransposedDouble() { productTransposed(Double.self) }
}
