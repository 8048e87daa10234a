import OptBenchKernels
import TestSupport
import Testing

/// The direct stride-1 "same" convolution kernels against their definitions on ragged shapes:
/// output channels that do not fill a vector of lanes (or fill several and a part), patch sizes
/// C·k² that do not fill a tile, odd heights and widths, 1×1, 3×3 and 5×5 kernels, in float32
/// (16 lanes) and float64 (8 lanes), on every register tile (`KernelISA`).
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

    func weightGradient<T: KernelScalar>(_ isa: KernelISA, _: T.Type, _ c: (Int, Int, Int, Int, Int, Int), rtol: Double) {
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
                                                                     dyStride: stride, UnsafePointer(xpb.baseAddress!), $0.baseAddress!, isa: isa)
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
        #expect(worst.ratio <= 1, "\(isa) \(T.self) \(c): worst at \(worst.index), \(got[max(worst.index, 0)]) vs \(expected[max(worst.index, 0)])")
    }

    @Test(arguments: KernelISA.allCases, cases)
    func weightGradientByChannelMatchesTheDefinitionFloat(isa: KernelISA, _ c: (Int, Int, Int, Int, Int, Int)) {
        weightGradient(isa, Float.self, c, rtol: 1e-5)
    }

    @Test(arguments: KernelISA.allCases, cases)
    func weightGradientByChannelMatchesTheDefinitionDouble(isa: KernelISA, _ c: (Int, Int, Int, Int, Int, Int)) {
        weightGradient(isa, Double.self, c, rtol: 1e-13)
    }

    /// s[o, h, w] = Σ_{c,i,j} W[o, c, i, j]·x[c, h − p + i, w − p + j] (0 outside the image) for
    /// the forward product, and — with the weights packed flipped — ∂f/∂x[c, h, w] =
    /// Σ_{o,i,j} W[o, c, i, j]·dy[o, h + p − i, w + p − j], the adjoint, both read off the W_p-wide
    /// grid; the grid's rows past the output channels and its discarded columns are not checked.
    /// Each output must lie within 2(n + 2)·ε·Σ|terms| of the float64 sum, n = C·k² terms (the
    /// forward error bound of any summation order).
    func forward<T: KernelScalar>(_ isa: KernelISA, _: T.Type, _ c: (Int, Int, Int, Int, Int, Int)) {
        let (channels, height, width, kernel, outputs, _) = c
        let p = kernel / 2, r = directConvolutionRows
        for flipped in [false, true] {
            // The flipped product reads `outputs` channels and writes `channels`.
            let (cin, cout) = flipped ? (outputs, channels) : (channels, outputs)
            let g = ConvolutionGeometry(channels: cin, height: height, width: width, kernel: kernel, stride: 1, padding: p)
            let x: [T] = uniformArray(cin * height * width, seed: 11), w: [T] = uniformArray(outputs * channels * kernel * kernel, seed: 12)
            let ld = g.gridStride(T.self) + 3
            var packed = [T](repeating: .nan, count: (cout + r - 1) / r * r * g.patchSize)
            var xp = [T](repeating: .nan, count: g.paddedCount(T.self))
            var out = [T](repeating: .nan, count: (cout + r - 1) / r * r * ld)
            w.withUnsafeBufferPointer { wb in
                packed.withUnsafeMutableBufferPointer {
                    packConvolutionWeights(outputs: outputs, inputs: channels, kernel: kernel, wb.baseAddress!, flipped: flipped, $0.baseAddress!)
                }
            }
            x.withUnsafeBufferPointer { xb in xp.withUnsafeMutableBufferPointer { padImage(g, xb.baseAddress!, $0.baseAddress!) } }
            packed.withUnsafeBufferPointer { pb in
                xp.withUnsafeBufferPointer { xb in
                    out.withUnsafeMutableBufferPointer {
                        directConvolution(g, outputs: cout, pb.baseAddress!, xb.baseAddress!, $0.baseAddress!, ldout: ld, isa: isa)
                    }
                }
            }
            var worst = 0.0
            for o in 0..<cout {
                for h in 0..<height {
                    for v in 0..<width {
                        var t = 0.0, bound = 0.0
                        for ch in 0..<cin {
                            for i in 0..<kernel {
                                for j in 0..<kernel {
                                    let a = h - p + i, b = v - p + j
                                    guard a >= 0, a < height, b >= 0, b < width else { continue }
                                    // Forward: W[o, ch, i, j]; flipped: W′[o, ch, i, j] = W[ch, o, k−1−i, k−1−j].
                                    let wi = flipped ? ((ch * channels + o) * kernel + kernel - 1 - i) * kernel + kernel - 1 - j
                                        : ((o * channels + ch) * kernel + i) * kernel + j
                                    let term = Double(w[wi]) * Double(x[(ch * height + a) * width + b])
                                    t += term
                                    bound += abs(term)
                                }
                            }
                        }
                        let got = Double(out[o * ld + h * g.paddedWidth + v])
                        let tolerance = 2 * Double(g.patchSize + 2) * Double(T.ulpOfOne) * bound
                        worst = max(worst, abs(got - t) / max(tolerance, Double.leastNormalMagnitude))
                    }
                }
            }
            #expect(worst <= 1, "\(isa) \(T.self) \(c)\(flipped ? " flipped" : ""): \(worst)")
        }
    }

    @Test(arguments: KernelISA.allCases, cases)
    func directConvolutionMatchesTheDefinitionFloat(isa: KernelISA, _ c: (Int, Int, Int, Int, Int, Int)) {
        forward(isa, Float.self, c)
    }

    @Test(arguments: KernelISA.allCases, cases)
    func directConvolutionMatchesTheDefinitionDouble(isa: KernelISA, _ c: (Int, Int, Int, Int, Int, Int)) {
        forward(isa, Double.self, c)
    }

    /// copyRow moves exactly n entries (every n up to past two 64-byte moves), leaving the
    /// entries on either side alone.
    func rowCopy<T: KernelScalar>(_: T.Type) {
        for n in 0...40 {
            let x: [T] = uniformArray(n + 2, seed: UInt64(n) + 3)
            var y = [T](repeating: -7, count: n + 4)
            x.withUnsafeBufferPointer { xb in y.withUnsafeMutableBufferPointer { copyRow(n, xb.baseAddress! + 1, $0.baseAddress! + 2) } }
            #expect(y[0] == -7 && y[1] == -7 && y[n + 2] == -7 && y[n + 3] == -7, "\(T.self) n \(n): a neighbour was written")
            #expect(Array(y[2..<(n + 2)]) == Array(x[1..<(n + 1)]), "\(T.self) n \(n)")
        }
    }

    @Test func rowCopyMovesExactlyTheRowFloat() { rowCopy(Float.self) }
    @Test func rowCopyMovesExactlyTheRowDouble() { rowCopy(Double.self) }

    /// Copying samples into the interior of a zeroed buffer, again and again, gives padImage's
    /// padded sample each time: zero border, gaps and slack, the sample inside.
    func interior<T: KernelScalar>(_: T.Type) {
        for (channels, height, width, kernel, _, _) in Self.cases {
            let g = ConvolutionGeometry(channels: channels, height: height, width: width, kernel: kernel, stride: 1, padding: kernel / 2)
            var buffer = [T](repeating: 0, count: g.paddedCount(T.self))
            for round in 0..<3 {
                let x: [T] = uniformArray(channels * height * width, seed: UInt64(10 + round))
                var reference = [T](repeating: .nan, count: g.paddedCount(T.self))
                x.withUnsafeBufferPointer { xb in
                    reference.withUnsafeMutableBufferPointer { padImage(g, xb.baseAddress!, $0.baseAddress!) }
                    buffer.withUnsafeMutableBufferPointer { padImageInterior(g, xb.baseAddress!, $0.baseAddress!) }
                }
                #expect(buffer == reference, "\(T.self) \(g), round \(round)")
                // padImage's border against the definition: x at (c, h − p, w − p), 0 outside.
                let wp = g.paddedWidth, plane = g.paddedPlane(T.self), p = g.padding
                for c in 0..<channels {
                    for h in 0..<g.paddedHeight {
                        for w in 0..<wp {
                            let (a, b) = (h - p, w - p)
                            let inside = a >= 0 && a < height && b >= 0 && b < width
                            #expect(reference[c * plane + h * wp + w] == (inside ? x[(c * height + a) * width + b] : 0))
                        }
                    }
                }
            }
        }
    }

    @Test func paddedInteriorMatchesPadImageFloat() { interior(Float.self) }
    @Test func paddedInteriorMatchesPadImageDouble() { interior(Double.self) }
}
