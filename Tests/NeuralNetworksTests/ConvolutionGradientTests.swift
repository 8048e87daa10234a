import OptBenchCore
import OptBenchKernels
import Testing
import TestSupport

@testable import OptBenchNeuralNetworks

/// Convolutions, global average pooling and convolutional residual networks back-propagate the
/// derivative of what they compute (central differences in float64, through `NetworkGradientTests.check`,
/// with each convolution placed after another layer so that its ∂f/∂x is checked too), and the
/// forward pass is the convolution of its definition (a naive seven-loop reference).
@Suite struct ConvolutionGradientTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let kernel: Int, stride: Int, padding: Int, bias: Bool
        var testDescription: String { "k\(kernel) s\(stride) p\(padding)\(bias ? " bias" : "")" }
    }

    static let cases: [Case] = [
        Case(kernel: 3, stride: 1, padding: 1, bias: true), Case(kernel: 3, stride: 1, padding: 1, bias: false),
        Case(kernel: 3, stride: 2, padding: 1, bias: true), Case(kernel: 3, stride: 1, padding: 0, bias: false),
        Case(kernel: 3, stride: 2, padding: 0, bias: true), Case(kernel: 1, stride: 1, padding: 0, bias: true),
        Case(kernel: 1, stride: 2, padding: 0, bias: false), Case(kernel: 2, stride: 2, padding: 1, bias: true),
        Case(kernel: 5, stride: 1, padding: 2, bias: true),
    ]

    @Test(arguments: cases)
    func convolutionAfterAnotherLayer(_ c: Case) {
        let specs: [LayerSpec] = [.conv2d(channels: 3, kernel: 3, padding: 1), .activation(.tanh),
                                  .conv2d(channels: 2, kernel: c.kernel, stride: c.stride, padding: c.padding, bias: c.bias),
                                  .activation(.tanh), .dense(outputs: 3)]
        NetworkGradientTests.check(specs, inputShape: [2, 6, 5], outputs: 3, batch: 3, "conv \(c.testDescription)")
    }

    @Test func globalAveragePool() {
        let specs: [LayerSpec] = [.conv2d(channels: 4, kernel: 3, padding: 1), .activation(.tanh), .globalAveragePool, .dense(outputs: 3)]
        NetworkGradientTests.check(specs, inputShape: [2, 5, 4], outputs: 3, batch: 4, "global average pool")
    }

    @Test func chunksOfSeveralSamplesAndSingleSamples() {
        // 4×4 outputs put every sample of the batch in one chunk; 36×32 outputs one per chunk.
        let specs: [LayerSpec] = [.conv2d(channels: 2, kernel: 3, padding: 1), .activation(.tanh),
                                  .conv2d(channels: 2, kernel: 3, padding: 1), .globalAveragePool, .dense(outputs: 2)]
        NetworkGradientTests.check(specs, inputShape: [1, 4, 4], outputs: 2, batch: 5, "several samples per chunk")
        NetworkGradientTests.check(specs, inputShape: [1, 36, 32], outputs: 2, batch: 3, "one sample per chunk")
    }

    @Test func smallConvolutionalResNet() {
        // Two stages (an identity block, then a stride-2 block with a projection shortcut) on 8×8.
        let specs = ResNetArchitecture.convolutional(blocksPerStage: 1, width: 2, stages: 2, classes: 3)
        NetworkGradientTests.check(specs, inputShape: [1, 8, 8], outputs: 3, batch: 4, mode: .probing, "ResNet, batch statistics")
        NetworkGradientTests.check(specs, inputShape: [1, 8, 8], outputs: 3, batch: 4, mode: .evaluation, trainFirst: true,
                                   "ResNet, running statistics")
        let fixup = ResNetArchitecture.convolutional(blocksPerStage: 1, width: 2, stages: 2, classes: 3, normalization: false)
        NetworkGradientTests.check(fixup, inputShape: [1, 8, 8], outputs: 3, batch: 3, "ResNet without normalisation")
    }

    @Test func fullyConnectedResNetOfEquation19() {
        let specs = ResNetArchitecture.fullyConnected(width: 5, blocks: 2, outputs: 3, activation: .tanh)
        NetworkGradientTests.check(specs, inputShape: [4], outputs: 3, "eq. (19) residual MLP")
    }

    /// s[b, o, h, w] = bias_o + Σ_{c,i,j} W[o, c, i, j]·x[b, c, h·s − p + i, w·s − p + j], seven loops.
    static func naiveConvolution(_ x: [Double], batch: Int, _ g: ConvolutionGeometry, outputs: Int, weight: ArraySlice<Double>,
                                 bias: ArraySlice<Double>?) -> [Double] {
        let ho = g.outputHeight, wo = g.outputWidth, k = g.kernel
        var y = [Double](repeating: 0, count: batch * outputs * ho * wo)
        let w = Array(weight), b = bias.map(Array.init)
        for n in 0..<batch {
            for o in 0..<outputs {
                for oh in 0..<ho {
                    for ow in 0..<wo {
                        var s = b?[o] ?? 0
                        for c in 0..<g.channels {
                            for i in 0..<k {
                                for j in 0..<k {
                                    let h = oh * g.stride - g.padding + i, v = ow * g.stride - g.padding + j
                                    guard h >= 0, h < g.height, v >= 0, v < g.width else { continue }
                                    s += w[((o * g.channels + c) * k + i) * k + j] * x[((n * g.channels + c) * g.height + h) * g.width + v]
                                }
                            }
                        }
                        y[((n * outputs + o) * ho + oh) * wo + ow] = s
                    }
                }
            }
        }
        return y
    }

    @Test(arguments: cases)
    func forwardIsTheConvolutionOfItsDefinition(_ c: Case) {
        for (shape, batch) in [([3, 7, 6], 5), ([2, 34, 33], 2)] {
            let g = ConvolutionGeometry(channels: shape[0], height: shape[1], width: shape[2], kernel: c.kernel, stride: c.stride, padding: c.padding)
            let net = Network<Double>([.conv2d(channels: 4, kernel: c.kernel, stride: c.stride, padding: c.padding, bias: c.bias)],
                                      inputShape: shape, loss: .squaredError)
            var w = net.initialParameters(.kaimingFanIn, activation: nil, seed: 2)
            let blocks = net.layout.blocks
            if c.bias { for i in blocks[1].range { w[i] = Double(i % 5) - 2 } }
            let x: [Double] = uniformArray(batch * shape.reduce(1, *), seed: 4)
            let y = x.withUnsafeBufferPointer { xp in
                w.withUnsafeBufferPointer { wp in
                    Array(UnsafeBufferPointer(start: net.forward(wp.baseAddress!, xp.baseAddress!, batch: batch, mode: .training),
                                              count: batch * net.outputSize))
                }
            }
            let expected = Self.naiveConvolution(x, batch: batch, g, outputs: 4, weight: w[blocks[0].range],
                                                 bias: c.bias ? w[blocks[1].range] : nil)
            #expect(net.outputShape == [4, g.outputHeight, g.outputWidth])
            #expect(isClose(y, expected, rtol: 1e-12, atol: 1e-13), "\(c.testDescription) on \(shape)")
        }
    }

    @Test func channelsAcrossSeveralRegisterBlocks() {
        // 17 → 18 channels: two blocks of 16 rows on the direct path, the second mostly padding.
        let specs: [LayerSpec] = [.conv2d(channels: 17, kernel: 3, padding: 1, bias: false), .activation(.tanh),
                                  .conv2d(channels: 18, kernel: 3, padding: 1), .globalAveragePool, .dense(outputs: 2)]
        NetworkGradientTests.check(specs, inputShape: [2, 4, 3], outputs: 2, batch: 2, "17 and 18 channels")
        let g = ConvolutionGeometry(channels: 18, height: 5, width: 6, kernel: 3, stride: 1, padding: 1)
        let net = Network<Double>([.conv2d(channels: 20, kernel: 3, padding: 1)], inputShape: [18, 5, 6], loss: .squaredError)
        let w = net.initialParameters(.torch, activation: nil, seed: 5)
        let x: [Double] = uniformArray(3 * 18 * 30, seed: 6)
        let y = x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in
                Array(UnsafeBufferPointer(start: net.forward(wp.baseAddress!, xp.baseAddress!, batch: 3, mode: .training), count: 3 * net.outputSize))
            }
        }
        let blocks = net.layout.blocks
        let expected = Self.naiveConvolution(x, batch: 3, g, outputs: 20, weight: w[blocks[0].range], bias: w[blocks[1].range])
        #expect(isClose(y, expected, rtol: 1e-12, atol: 1e-13))
    }

    /// The float32 pass (16-lane kernels) against the float64 one (8 lanes, checked above by
    /// finite differences) on the same weights and data: losses and gradients agree to float32 accuracy.
    @Test func float32MatchesFloat64() {
        let specs = ResNetArchitecture.convolutional(blocksPerStage: 1, width: 6, stages: 2, classes: 3)
        let shape = [1, 13, 11], batch = 9
        let double = Network<Double>(specs, inputShape: shape, loss: .crossEntropy)
        let single = Network<Float>(specs, inputShape: shape, loss: .crossEntropy)
        let w = double.initialParameters(.kaimingFanIn, activation: .relu, seed: 4)
        let data = NetworkGradientTests.batch(batch, inputs: shape.reduce(1, *), outputs: 3, seed: 12)
        var g = [Double](repeating: 0, count: double.dimension)
        let f = NetworkGradientTests.loss(double, w, data, classification: true, mode: .training, gradient: &g)
        let x = data.x.map { Float($0) }, wf = w.map { Float($0) }
        var gf = [Float](repeating: 0, count: single.dimension)
        let sum = x.withUnsafeBufferPointer { xp in
            wf.withUnsafeBufferPointer { wp in
                gf.withUnsafeMutableBufferPointer { gp in
                    data.labels.withUnsafeBufferPointer { y in
                        single.evaluate(wp.baseAddress!, xp.baseAddress!, .labels(y.baseAddress!), batch: batch, mode: .training,
                                        scale: 1 / Float(batch), gradient: gp.baseAddress!).sum
                    }
                }
            }
        }
        #expect(isClose(sum / Double(batch), f, rtol: 1e-5), "loss \(sum / Double(batch)) vs \(f)")
        let scale = g.map(abs).max()!
        let worst = worstMismatch(gf.map(Double.init), g, rtol: 1e-3, atol: 1e-4 * scale)
        #expect(worst.ratio <= 1, "worst at \(worst.index): \(gf[max(worst.index, 0)]) vs \(g[max(worst.index, 0)])")
    }

    @Test func convolutionWeightsAreLaidOutAndInitialisedAsTorchs() {
        let net = Network<Double>([.conv2d(channels: 6, kernel: 3, stride: 1, padding: 1), .globalAveragePool, .dense(outputs: 2)],
                                  inputShape: [4, 5, 5], loss: .crossEntropy)
        #expect(net.layout.blocks.map(\.name) == ["conv1.weight", "conv1.bias", "fc1.weight", "fc1.bias"])
        #expect(net.layout.blocks[0].shape == [6, 4, 3, 3])
        let t = net.weights[0]
        #expect((t.rows, t.fanIn, t.fanOut) == (6, 36, 54))
        let w = net.initialParameters(.kaimingFanIn, activation: .relu, seed: 3)
        let v = w[t.offset..<(t.offset + t.count)]
        let mean = v.reduce(0, +) / Double(v.count)
        let variance = v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count)
        // Kaiming fan-in: Var = 2/(C·k²); 216 draws, relative standard error ≈ 10 %.
        #expect(abs(variance / (2.0 / 36) - 1) < 0.35, "variance \(variance)")
    }

    @Test func resNet20HasTheLayersOfHeEtAl() throws {
        let specs = try ResNetArchitecture.convolutional(depth: 20)
        let net = Network<Float>(specs, inputShape: [1, 28, 28], loss: .crossEntropy)
        // 19 convolutions on the main path + 2 projections, 1 dense: 22 weight tensors.
        #expect(net.weights.count == 22)
        #expect(net.weights.filter { $0.name.contains("shortcut") }.count == 2)
        #expect(net.outputShape == [10])
        // Parameters counted stage by stage: 3×3 convolutions, the two 1×1 projections, BatchNorm γ and β, the classifier.
        let convs = 16 * 1 * 9 + 6 * 16 * 16 * 9 + (32 * 16 * 9 + 5 * 32 * 32 * 9) + (64 * 32 * 9 + 5 * 64 * 64 * 9) + 32 * 16 + 64 * 32
        let norms = 2 * (16 * 7 + 32 * 7 + 64 * 7)
        #expect(net.dimension == convs + norms + 64 * 10 + 10)
        #expect(throws: ConfigurationError.self) { try ResNetArchitecture.convolutional(depth: 21) }
    }

    @Test func lsuvCoversConvolutions() {
        var rng = Xoshiro256(seed: 8)
        let batch = 32
        let x = (0..<(batch * 2 * 8 * 8)).map { _ in 2 * rng.nextGaussian() + 1 }
        let specs: [LayerSpec] = [.conv2d(channels: 8, kernel: 3, padding: 1), .activation(.relu), .conv2d(channels: 8, kernel: 3, stride: 2, padding: 1),
                                  .activation(.relu), .globalAveragePool, .dense(outputs: 4)]
        let net = Network<Double>(specs, inputShape: [2, 8, 8], loss: .crossEntropy)
        let w = x.withUnsafeBufferPointer { net.initialParameters(.lsuv, activation: .relu, seed: 1, batch: $0.baseAddress, batchSize: batch) }
        x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in _ = net.forward(wp.baseAddress!, xp.baseAddress!, batch: batch, mode: .probing) }
        }
        let outputs = net.weightLayerOutputs
        #expect(outputs.count == 3)
        for (k, (p, size)) in outputs.enumerated() {
            let v = Array(UnsafeBufferPointer(start: p, count: batch * size))
            let mean = v.reduce(0, +) / Double(v.count)
            let variance = v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count)
            #expect(abs(variance - 1) < 0.1, "layer \(k): output variance \(variance)")
        }
    }
}
