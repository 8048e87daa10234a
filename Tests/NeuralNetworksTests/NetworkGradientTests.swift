import OptBenchCore
import OptBenchKernels
import Testing
import TestSupport

@testable import OptBenchNeuralNetworks

/// Every layer, activation, loss and normalisation back-propagates the derivative of what it
/// computes: the analytic ∇_w f_B (and, through every layer but the first, ∂f/∂x) against central
/// differences of the forward pass, in float64, in training (batch statistics) and evaluation
/// (running averages) mode.
@Suite struct NetworkGradientTests {
    /// A batch of inputs and targets drawn from a fixed seed.
    struct Batch {
        let x: [Double]
        let labels: [Int32]
        let values: [Double]
        let count: Int
    }

    static func batch(_ count: Int, inputs: Int, outputs: Int, seed: UInt64) -> Batch {
        var rng = Xoshiro256(seed: seed)
        let x = (0..<(count * inputs)).map { _ in rng.nextGaussian() }
        let labels = (0..<count).map { _ in Int32(rng.nextInt(below: outputs)) }
        let values = (0..<(count * outputs)).map { _ in rng.nextGaussian() }
        return Batch(x: x, labels: labels, values: values, count: count)
    }

    /// f_B(w) = (1/|B|) Σ ℓ_b in `mode`, and its gradient by back-propagation.
    static func loss(_ net: Network<Double>, _ w: [Double], _ b: Batch, classification: Bool, mode: NetworkMode,
                     gradient: inout [Double]) -> Double {
        b.x.withUnsafeBufferPointer { x in
            w.withUnsafeBufferPointer { wp in
                gradient.withUnsafeMutableBufferPointer { g in
                    if classification {
                        return b.labels.withUnsafeBufferPointer { y in
                            net.evaluate(wp.baseAddress!, x.baseAddress!, .labels(y.baseAddress!), batch: b.count, mode: mode,
                                         scale: 1 / Double(b.count), gradient: g.baseAddress!).sum / Double(b.count)
                        }
                    }
                    return b.values.withUnsafeBufferPointer { y in
                        net.evaluate(wp.baseAddress!, x.baseAddress!, .values(y.baseAddress!), batch: b.count, mode: mode,
                                     scale: 1 / Double(b.count), gradient: g.baseAddress!).sum / Double(b.count)
                    }
                }
            }
        }
    }

    /// Checks ∇f_B against central differences; returns the worst mismatch ratio.
    @discardableResult
    static func check(_ specs: [LayerSpec], inputShape: [Int], loss: Loss = .crossEntropy, classification: Bool = true,
                      outputs: Int, batch: Int = 5, mode: NetworkMode = .probing, trainFirst: Bool = false,
                      initialization: WeightInitialization = .xavierNormal, perturb: Bool = true,
                      rtol: Double = 1e-6, atol: Double = 1e-8, _ comment: Comment) -> Double {
        let net = Network<Double>(specs, inputShape: inputShape, loss: loss)
        let inputs = inputShape.reduce(1, *)
        let data = Self.batch(batch, inputs: inputs, outputs: outputs, seed: 11)
        var w = net.initialParameters(initialization, activation: nil, seed: 3)
        // Perturb normalisation parameters and biases away from their 1/0 starts.
        if perturb {
            var rng = Xoshiro256(seed: 5)
            for block in net.layout.blocks where block.role != .weight { for i in block.range { w[i] += 0.3 * rng.nextGaussian() } }
        }
        var g = [Double](repeating: 0, count: net.dimension)
        if trainFirst {
            // Moves BatchNorm's running averages away from (0, 1).
            for s in 0..<3 {
                let other = Self.batch(batch + 3, inputs: inputs, outputs: outputs, seed: 100 + UInt64(s))
                _ = Self.loss(net, w, other, classification: classification, mode: .training, gradient: &g)
            }
        }
        _ = Self.loss(net, w, data, classification: classification, mode: mode, gradient: &g)
        var scratch = [Double](repeating: 0, count: net.dimension)
        let fd = finiteDifferenceGradient({ Self.loss(net, $0, data, classification: classification, mode: mode, gradient: &scratch) }, at: w)
        let worst = worstMismatch(g, fd, rtol: rtol, atol: atol)
        #expect(worst.ratio <= 1, "\(comment): worst at \(worst.index) (\(net.layout.blocks.first { $0.range.contains(worst.index) }?.name ?? "?")) ratio \(worst.ratio)")
        #expect(g.contains { $0 != 0 }, "\(comment): gradient is identically zero")
        return worst.ratio
    }

    @Test(arguments: Activation.allCases)
    func mlpWithEachActivation(_ f: Activation) {
        Self.check([.dense(outputs: 7), .activation(f), .dense(outputs: 6), .activation(f), .dense(outputs: 4)],
                   inputShape: [5], outputs: 4, "MLP with \(f)")
    }

    @Test func squaredErrorOnTargetsAndOnLabels() {
        let specs: [LayerSpec] = [.dense(outputs: 6), .activation(.tanh), .dense(outputs: 3)]
        Self.check(specs, inputShape: [4], loss: .squaredError, classification: false, outputs: 3, "squared error, targets")
        Self.check(specs, inputShape: [4], loss: .squaredError, classification: true, outputs: 3, "squared error, one-hot labels")
        Self.check(specs, inputShape: [4], loss: .crossEntropy, classification: false, outputs: 3, "cross-entropy, soft targets")
    }

    @Test func denseWithoutBias() {
        Self.check([.dense(outputs: 6, bias: false), .activation(.sigmoid), .dense(outputs: 3, bias: false)],
                   inputShape: [4], outputs: 3, "dense without bias")
    }

    @Test func batchNormInTrainingAndEvaluationMode() {
        let specs: [LayerSpec] = [.dense(outputs: 6), .batchNorm, .activation(.tanh), .dense(outputs: 5), .batchNorm, .activation(.relu), .dense(outputs: 3)]
        Self.check(specs, inputShape: [4], outputs: 3, batch: 7, mode: .probing, "BatchNorm, batch statistics")
        Self.check(specs, inputShape: [4], outputs: 3, batch: 7, mode: .evaluation, trainFirst: true, "BatchNorm, running statistics")
    }

    @Test func batchNormOverChannelsOfImages() {
        // [C, H, W] = [2, 3, 3]: statistics per channel over batch and positions.
        let specs: [LayerSpec] = [.batchNorm, .activation(.tanh), .batchNorm, .dense(outputs: 3)]
        Self.check(specs, inputShape: [2, 3, 3], outputs: 3, batch: 4, mode: .probing, "BatchNorm2d, batch statistics")
        Self.check(specs, inputShape: [2, 3, 3], outputs: 3, batch: 4, mode: .evaluation, trainFirst: true, "BatchNorm2d, running statistics")
    }

    @Test func layerNorm() {
        let specs: [LayerSpec] = [.dense(outputs: 6), .layerNorm, .activation(.swish), .dense(outputs: 5), .layerNorm, .dense(outputs: 3)]
        Self.check(specs, inputShape: [4], outputs: 3, "LayerNorm")
        Self.check(specs, inputShape: [4], outputs: 3, mode: .evaluation, "LayerNorm, evaluation mode")
    }

    @Test func weightNormalisation() {
        let specs: [LayerSpec] = [.dense(outputs: 6, weightNorm: true), .activation(.leakyRelu), .dense(outputs: 3, weightNorm: true)]
        Self.check(specs, inputShape: [4], outputs: 3, "weight norm")
    }

    @Test func residualBlocksOfTheSurveysEquation19() {
        // z ← φ(W₁·φ(W₂·z) + z), identity shortcut; then a projection shortcut changing width.
        let block: LayerSpec = .residual(body: [.dense(outputs: 5), .activation(.tanh), .dense(outputs: 5)], shortcut: nil, activation: .tanh)
        let projection: LayerSpec = .residual(body: [.dense(outputs: 4), .activation(.relu), .dense(outputs: 3)],
                                              shortcut: [.dense(outputs: 3, bias: false)], activation: .relu)
        Self.check([.dense(outputs: 5), block, block, projection, .dense(outputs: 2)], inputShape: [3], outputs: 2, "FC residual")
        let normalised: LayerSpec = .residual(body: [.dense(outputs: 5), .batchNorm, .activation(.relu), .dense(outputs: 5), .batchNorm],
                                              shortcut: nil, activation: .relu)
        Self.check([.dense(outputs: 5), normalised, .dense(outputs: 2)], inputShape: [3], outputs: 2, batch: 6, "residual with BatchNorm")
        Self.check([.dense(outputs: 5), normalised, .dense(outputs: 2)], inputShape: [3], outputs: 2, batch: 6, mode: .evaluation,
                   trainFirst: true, "residual with BatchNorm, evaluation")
    }

    /// The layer view's factors rebuild each dense layer's gradient: ∂f_B/∂W_ℓ = Σ_b g_{ℓ,b} a_{ℓ,b}ᵀ.
    /// Layers large enough (batch · inputs · outputs ≥ 2¹⁸) that a two-core machine runs their
    /// weight and input gradients side by side: central differences at sampled coordinates of
    /// every block.
    @Test func largeLayersBackPropagateTheirDerivative() {
        let net = Network<Double>([.dense(outputs: 96), .activation(.tanh), .dense(outputs: 80), .activation(.relu), .dense(outputs: 40),
                                   .activation(.tanh), .dense(outputs: 5)], inputShape: [64], loss: .crossEntropy)
        let data = Self.batch(48, inputs: 64, outputs: 5, seed: 12)
        var w = net.initialParameters(.xavierNormal, activation: nil, seed: 4)
        var rng = Xoshiro256(seed: 6)
        for block in net.layout.blocks where block.role != .weight { for i in block.range { w[i] += 0.3 * rng.nextGaussian() } }
        var g = [Double](repeating: 0, count: net.dimension), scratch = g
        _ = Self.loss(net, w, data, classification: true, mode: .training, gradient: &g)
        for block in net.layout.blocks {
            for _ in 0..<12 {
                let i = block.offset + rng.nextInt(below: block.count)
                var plus = w, minus = w
                let h = 1e-5
                plus[i] += h
                minus[i] -= h
                let fd = (Self.loss(net, plus, data, classification: true, mode: .training, gradient: &scratch)
                    - Self.loss(net, minus, data, classification: true, mode: .training, gradient: &scratch)) / (2 * h)
                #expect(isClose(g[i], fd, rtol: 1e-6, atol: 1e-9), "\(block.name)[\(i - block.offset)]: \(g[i]) vs \(fd)")
            }
        }
    }

    @Test func layerViewRebuildsWeightGradients() {
        let block: LayerSpec = .residual(body: [.dense(outputs: 5), .activation(.tanh), .dense(outputs: 5)], shortcut: nil, activation: nil)
        let net = Network<Double>([.dense(outputs: 5), .activation(.relu), block, .dense(outputs: 3)], inputShape: [4], loss: .crossEntropy)
        let data = Self.batch(6, inputs: 4, outputs: 3, seed: 2)
        let w = net.initialParameters(.kaimingFanIn, activation: .relu, seed: 1)
        var g = [Double](repeating: 0, count: net.dimension)
        _ = Self.loss(net, w, data, classification: true, mode: .training, gradient: &g)
        let view = try! #require(net.layerView())
        #expect(view.layers.count == 4)
        for (k, layer) in view.layers.enumerated() {
            let (a, gs, batch) = view.activations(k)
            #expect(batch == 6)
            let block = net.layout.blocks[layer.weightBlock]
            for r in 0..<layer.outputs {
                for c in 0..<layer.inputs {
                    var s = 0.0
                    for b in 0..<batch { s += gs[b * layer.outputs + r] * a[b * layer.inputs + c] }
                    #expect(isClose(s, g[block.offset + r * layer.inputs + c], rtol: 1e-12, atol: 1e-15), "layer \(k) (\(r), \(c))")
                }
            }
        }
    }

    /// A mini-batch read where the data set holds it (`evaluate(gathering:)`) gives the loss,
    /// the gradient and the layer view's first inputs of the same rows copied out, bit for bit:
    /// read in place by a dense first layer (with its ReLU, with BatchNorm after it), copied
    /// for a convolutional one.
    @Test(arguments: [0, 1, 2])
    func gatheredBatchEqualsTheCopiedBatch(net kind: Int) {
        let specs: [LayerSpec], shape: [Int]
        switch kind {
        case 0: (specs, shape) = ([.dense(outputs: 40), .activation(.relu), .dense(outputs: 30), .activation(.relu), .dense(outputs: 3)], [50])
        case 1: (specs, shape) = ([.dense(outputs: 20), .batchNorm, .activation(.relu), .dense(outputs: 3)], [50])
        default: (specs, shape) = ([.conv2d(channels: 2, kernel: 3, stride: 1, padding: 1, bias: true), .activation(.relu),
                                    .globalAveragePool, .dense(outputs: 3)], [1, 5, 10])
        }
        let inputs = shape.reduce(1, *), setSize = 60, batch = 27
        let set = Self.batch(setSize, inputs: inputs, outputs: 3, seed: 21)
        var rng = Xoshiro256(seed: 4)
        var rows = (0..<batch).map { _ in rng.nextInt(below: setSize) }
        rows[3] = setSize - 1
        let copied = rows.flatMap { set.x[($0 * inputs)..<(($0 + 1) * inputs)] }
        let labels = rows.map { set.labels[$0] }
        func run(gathered: Bool) -> (loss: Double, correct: Int, gradient: [Double], firstInputs: [Double]) {
            let net = Network<Double>(specs, inputShape: shape, loss: .crossEntropy)
            let w = net.initialParameters(.kaimingFanIn, activation: .relu, seed: 1)
            var g = [Double](repeating: 0, count: net.dimension)
            let r = w.withUnsafeBufferPointer { wp in
                g.withUnsafeMutableBufferPointer { gp in
                    labels.withUnsafeBufferPointer { y in
                        gathered
                            ? set.x.withUnsafeBufferPointer { x in
                                rows.withUnsafeBufferPointer { rp in
                                    net.evaluate(wp.baseAddress!, gathering: rp, of: x.baseAddress!, .labels(y.baseAddress!), mode: .training,
                                                 scale: 1 / Double(batch), gradient: gp.baseAddress!)
                                }
                            }
                            : copied.withUnsafeBufferPointer { x in
                                net.evaluate(wp.baseAddress!, x.baseAddress!, .labels(y.baseAddress!), batch: batch, mode: .training,
                                             scale: 1 / Double(batch), gradient: gp.baseAddress!)
                            }
                    }
                }
            }
            let (a, _, n) = net.layerView()!.activations(0)
            return (r.sum, r.correct, g, Array(a.prefix(n * net.layerView()!.layers[0].inputs)))
        }
        let gathered = run(gathered: true), dense = run(gathered: false)
        #expect(gathered.loss == dense.loss && gathered.correct == dense.correct, "net \(kind): loss")
        #expect(gathered.gradient == dense.gradient, "net \(kind): gradient")
        #expect(gathered.gradient.contains { $0 != 0 }, "net \(kind): gradient is identically zero")
        if kind < 2 { #expect(gathered.firstInputs == copied, "net \(kind): the layer view's a₀ is the batch") }
    }

    /// BatchNorm's running averages follow torch's update: after one training batch,
    /// m = 0.1·μ_B and v = 0.9 + 0.1·σ²_B·N/(N − 1), computed here from the inputs directly.
    @Test func batchNormRunningAveragesFollowTorch() {
        let net = Network<Double>([.batchNorm, .dense(outputs: 2)], inputShape: [3], loss: .crossEntropy)
        let data = Self.batch(5, inputs: 3, outputs: 2, seed: 9)
        let w = net.initialParameters(.xavierNormal, activation: nil, seed: 1)
        var g = [Double](repeating: 0, count: net.dimension)
        _ = Self.loss(net, w, data, classification: true, mode: .training, gradient: &g)
        guard case .batchNorm(let bn) = net.body.nodes[0] else { Issue.record("not a BatchNorm"); return }
        for c in 0..<3 {
            let column = (0..<5).map { data.x[$0 * 3 + c] }
            let mean = column.reduce(0, +) / 5
            let unbiased = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4
            #expect(isClose(bn.runningMean[c], 0.1 * mean, rtol: 1e-12))
            #expect(isClose(bn.runningVariance[c], 0.9 + 0.1 * unbiased, rtol: 1e-12))
        }
    }
}
