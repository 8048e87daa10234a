import OptBenchKernels
import TestSupport
import Testing

/// im2col against its definition, entry by entry, and col2im as its adjoint:
/// ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩ for random x and c, on the shifted-copy geometries (stride 1,
/// 2p = k − 1) and the general ones (stride 2, padding 0, non-square inputs, wide padding).
@Suite struct Im2colTests {
    static let geometries: [ConvolutionGeometry] = [
        .init(channels: 2, height: 5, width: 7, kernel: 3, stride: 1, padding: 1),
        .init(channels: 3, height: 4, width: 4, kernel: 1, stride: 1, padding: 0),
        .init(channels: 2, height: 6, width: 5, kernel: 5, stride: 1, padding: 2),
        .init(channels: 2, height: 7, width: 6, kernel: 3, stride: 2, padding: 1),
        .init(channels: 1, height: 5, width: 8, kernel: 3, stride: 1, padding: 0),
        .init(channels: 3, height: 6, width: 6, kernel: 1, stride: 2, padding: 0),
        .init(channels: 2, height: 3, width: 9, kernel: 4, stride: 3, padding: 2),
        .init(channels: 1, height: 1, width: 1, kernel: 3, stride: 1, padding: 1),
        .init(channels: 1, height: 40, width: 37, kernel: 3, stride: 1, padding: 1),
    ]

    /// The entry x[c, o_h·s − p + i, o_w·s − p + j] of the definition, 0 in the padding.
    static func entry(_ g: ConvolutionGeometry, _ x: [Double], row: Int, column: Int) -> Double {
        let k = g.kernel
        let c = row / (k * k), i = row / k % k, j = row % k
        let oh = column / g.outputWidth, ow = column % g.outputWidth
        let h = oh * g.stride - g.padding + i, w = ow * g.stride - g.padding + j
        guard h >= 0, h < g.height, w >= 0, w < g.width else { return 0 }
        return x[(c * g.height + h) * g.width + w]
    }

    @Test(arguments: geometries)
    func im2colMatchesTheDefinition(_ g: ConvolutionGeometry) {
        let x: [Double] = uniformArray(g.channels * g.height * g.width, seed: 3)
        let ld = g.outputPixels + 5
        var col = [Double](repeating: .nan, count: g.patchSize * ld)
        x.withUnsafeBufferPointer { xp in col.withUnsafeMutableBufferPointer { im2col(g, xp.baseAddress!, $0.baseAddress!, ldcol: ld) } }
        for r in 0..<g.patchSize {
            for q in 0..<g.outputPixels {
                #expect(col[r * ld + q] == Self.entry(g, x, row: r, column: q), "\(g): row \(r), column \(q)")
            }
            // The leading-dimension gap is left alone.
            let gap = col[(r * ld + g.outputPixels)..<((r + 1) * ld)].allSatisfy { $0.isNaN }
            #expect(gap, "\(g): row \(r) wrote past its columns")
        }
    }

    @Test(arguments: geometries)
    func col2imIsTheAdjointOfIm2col(_ g: ConvolutionGeometry) {
        let x: [Double] = uniformArray(g.channels * g.height * g.width, seed: 5)
        let c: [Double] = uniformArray(g.patchSize * g.outputPixels, seed: 6)
        // ⟨im2col(x), c⟩ from the definition; ⟨x, col2im(c)⟩ from the kernel (added onto an offset).
        var lhs = 0.0
        for r in 0..<g.patchSize { for q in 0..<g.outputPixels { lhs += Self.entry(g, x, row: r, column: q) * c[r * g.outputPixels + q] } }
        let offset: [Double] = uniformArray(x.count, seed: 7)
        var back = offset
        var scratch = c
        scratch.withUnsafeMutableBufferPointer { cp in back.withUnsafeMutableBufferPointer { col2im(g, cp.baseAddress!, ldcol: g.outputPixels, $0.baseAddress!) } }
        var rhs = 0.0
        for i in x.indices { rhs += x[i] * (back[i] - offset[i]) }
        #expect(isClose(lhs, rhs, rtol: 1e-12, atol: 1e-12), "\(g): ⟨im2col x, c⟩ = \(lhs), ⟨x, col2im c⟩ = \(rhs)")
        // Each input gets exactly the entries of c that im2col read from it.
        var expected = offset
        for r in 0..<g.patchSize {
            let k = g.kernel, ch = r / (k * k), i = r / k % k, j = r % k
            for q in 0..<g.outputPixels {
                let h = q / g.outputWidth * g.stride - g.padding + i, w = q % g.outputWidth * g.stride - g.padding + j
                if h >= 0, h < g.height, w >= 0, w < g.width { expected[(ch * g.height + h) * g.width + w] += c[r * g.outputPixels + q] }
            }
        }
        #expect(isClose(back, expected, rtol: 1e-13, atol: 1e-14), "\(g)")
    }

    @Test func outputShapeFollowsTorch() {
        // torch: H_o = ⌊(H + 2p − k)/s⌋ + 1.
        #expect(ConvolutionGeometry(channels: 1, height: 28, width: 28, kernel: 3, stride: 2, padding: 1).outputHeight == 14)
        #expect(ConvolutionGeometry(channels: 1, height: 14, width: 14, kernel: 3, stride: 2, padding: 1).outputWidth == 7)
        #expect(ConvolutionGeometry(channels: 1, height: 7, width: 7, kernel: 1, stride: 2, padding: 0).outputPixels == 16)
        #expect(!ConvolutionGeometry(channels: 1, height: 2, width: 2, kernel: 5, stride: 1, padding: 1).isValid)
    }
}

/// C + A·Bᵀ against the triple loop, on shapes with edge tiles (m mod 4 and 2, n mod 6 and 3) and
/// a tail of k, on every register tile.
@Suite struct ProductTransposedTests {
    @Test(arguments: KernelISA.allCases, [(4, 6, 32), (5, 7, 37), (9, 13, 3), (1, 1, 1), (16, 144, 980), (3, 5, 16), (2, 3, 17)])
    func matchesTheTripleLoop(isa: KernelISA, _ shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        let lda = k + 3, ldb = k + 1, ldc = n + 2
        let a: [Double] = uniformArray(m * lda, seed: 1), b: [Double] = uniformArray(n * ldb, seed: 2)
        let c0: [Double] = uniformArray(m * ldc, seed: 3)
        var c = c0
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer {
                    accumulateProductTransposed(m, n, k, ap.baseAddress!, lda, bp.baseAddress!, ldb, $0.baseAddress!, ldc, isa: isa)
                }
            }
        }
        for i in 0..<m {
            for j in 0..<n {
                var s = c0[i * ldc + j]
                for q in 0..<k { s += a[i * lda + q] * b[j * ldb + q] }
                #expect(isClose(c[i * ldc + j], s, rtol: 1e-12, atol: 1e-12), "\(isa): (\(i), \(j)) of \(m)×\(n)×\(k)")
            }
            for j in n..<ldc { #expect(c[i * ldc + j] == c0[i * ldc + j], "padding column \(j) changed") }
        }
    }
}
