import Kernels
import TestSupport
import Testing

/// The direct stride-1 "same" convolution kernels against their definitions on ragged shapes:
/// output channels that do not fill a vector of lanes (or fill several and a part), patch sizes
/// C·k² that do not fill a tile, odd heights and widths, 1×1, 3×3 and 5×5 kernels, in float32
/// (16 lanes) and float64 (8 lanes).
@Suite struct DirectConvolutionTests {
    /// (channels, height, width, kernel, outputs, samples).
    static let cases: [(Int, Int, Int, Int, Int, Int)] = [
        (1, 5, 7, 3, 16, 2), (3, 4, 9, 3, 5, 1), (13, 6, 5, 3, 17, 3), (2, 7, 6, 5, 20, 2),
        (4, 3, 3, 1, 9, 2), (16, 7, 7, 3, 33, 1), (2, 1, 1, 3, 3, 2),
    ]

    /// dW[o, (c·k + i)·k + j] = Σ_s Σ_{h,w} dy_s[o, h, w]·x_s[c, h − p + i, w − p + j], 0 outside the image.
    static func naiveWeightGradient(_ g: ConvolutionGeometry, outputs: Int, samples: Int, _ x: [Double], _ dy: [Double]) -> [Double] {
        let k = g.kernel, p = g.padding, h = g.height, w = g.width, size = g.channels * h * w
        var dw = [Double](repeating: 0, count: outputs * g.patchSize)
        for o in 0..<outputs {
            for c in 0..<g.channels {
                for i in 0..<k {
                    for j in 0..<k {
                        var t = 0.0
                        for s in 0..<samples {
                            for r in 0..<h {
                                for q in 0..<w {
                                    let a = r - p + i, b = q - p + j
                                    guard a >= 0, a < h, b >= 0, b < w else { continue }
                                    t += dy[s * outputs * h * w + (o * h + r) * w + q] * x[s * size + (c * h + a) * w + b]
                                }
                            }
                        }
                        dw[o * g.patchSize + (c * k + i) * k + j] = t
                    }
                }
            }
        }
        return dw
    }

    func weightGradient<T: KernelScalar>(_: T.Type, _ c: (Int, Int, Int, Int, Int, Int), rtol: Double) {
        let (channels, height, width, kernel, outputs, samples) = c
        let g = ConvolutionGeometry(channels: channels, height: height, width: width, kernel: kernel, stride: 1, padding: kernel / 2)
        let positions = height * width, size = channels * positions
        let x: [T] = uniformArray(samples * size, seed: 7), dy: [T] = uniformArray(samples * outputs * positions, seed: 8)
        let start: [T] = uniformArray(outputs * g.patchSize, seed: 9)
        let stride = outputGradientBlocks(T.self, outputs: outputs) * T.lanes * positions
        var xp = [T](repeating: .nan, count: samples * g.paddedCount(T.self))
        var dyt = [T](repeating: .nan, count: samples * stride)
        var dw = start
        x.withUnsafeBufferPointer { xb in
            dy.withUnsafeBufferPointer { db in
                xp.withUnsafeMutableBufferPointer { xpb in
                    dyt.withUnsafeMutableBufferPointer { tb in
                        for s in 0..<samples {
                            padImage(g, xb.baseAddress! + s * size, xpb.baseAddress! + s * g.paddedCount(T.self))
                            transposeOutputGradient(outputs: outputs, positions: positions, db.baseAddress! + s * outputs * positions,
                                                    tb.baseAddress! + s * stride)
                        }
                        dw.withUnsafeMutableBufferPointer {
                            directConvolutionWeightGradientByChannel(g, outputs: outputs, samples: samples, UnsafePointer(tb.baseAddress!),
                                                                     dyStride: stride, UnsafePointer(xpb.baseAddress!), $0.baseAddress!)
                        }
                    }
                }
            }
        }
        // The transposed layout, its zero lanes included.
        for s in 0..<samples {
            for o in 0..<(stride / positions) {
                for q in 0..<positions {
                    let v = dyt[s * stride + (o / T.lanes * positions + q) * T.lanes + o % T.lanes]
                    #expect(v == (o < outputs ? dy[(s * outputs + o) * positions + q] : 0), "transpose \(c): o \(o), q \(q)")
                }
            }
        }
        let naive = Self.naiveWeightGradient(g, outputs: outputs, samples: samples, x.map { Double($0) }, dy.map { Double($0) })
        let expected = zip(naive, start).map { $0 + Double($1) }
        let got = dw.map { Double($0) }
        let worst = worstMismatch(got, expected, rtol: rtol, atol: rtol * Double(samples * positions))
        #expect(worst.ratio <= 1, "\(T.self) \(c): worst at \(worst.index), \(got[max(worst.index, 0)]) vs \(expected[max(worst.index, 0)])")
    }

    @Test(arguments: cases)
    func weightGradientByChannelMatchesTheDefinitionFloat(_ c: (Int, Int, Int, Int, Int, Int)) {
        weightGradient(Float.self, c, rtol: 1e-5)
    }

    @Test(arguments: cases)
    func weightGradientByChannelMatchesTheDefinitionDouble(_ c: (Int, Int, Int, Int, Int, Int)) {
        weightGradient(Double.self, c, rtol: 1e-13)
    }
}
