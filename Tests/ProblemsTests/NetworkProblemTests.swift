import OptBenchCatalog
import OptBenchHarness
import OptBenchCore
import Foundation
import OptBenchKernels
import OptBenchNeuralNetworks
import OptBenchOptimizers
import Testing
import TestSupport

@testable import OptBenchProblems

/// The `mlp` problem from its settings: its F and ∇F against finite differences through the
/// registry (every variant the settings build), the digits data to ≥ 96 % test accuracy, and
/// refusals that name the file or setting.
@Suite struct NetworkProblemTests {
    static func digits(_ extra: [String] = []) -> [String] {
        ["train-images=\(IDXFixture.digits("digits-train-images-idx3-ubyte.gz"))",
         "train-labels=\(IDXFixture.digits("digits-train-labels-idx1-ubyte.gz"))",
         "test-images=\(IDXFixture.digits("digits-test-images-idx3-ubyte.gz"))",
         "test-labels=\(IDXFixture.digits("digits-test-labels-idx1-ubyte.gz"))"] + extra
    }

    /// ∇F against central differences of F over the whole (small) training set, float64.
    @Test(arguments: [
        ["norm=batch"], ["norm=layer", "activation=swish"], ["weight_norm=true", "activation=tanh"],
        ["loss=squared-error", "activation=sigmoid"], ["data=teacher", "loss=squared-error", "inputs=6", "outputs=3"],
        ["widths=5", "activation=leaky-relu", "preprocess=standardize"],
    ])
    func fullGradientMatchesFiniteDifferences(_ settings: [String]) throws {
        let base = ["dtype=float64", "samples=12", "test_samples=4", "width=4", "depth=2"]
        var p = try float64("mlp", base + settings + (settings.contains("data=teacher") ? [] : ["classes=3"]))
        if settings.contains("data=teacher") { p = try float64("mlp", base + settings) }
        let objective = p.makeObjective()
        var w = p.initialPoint(seed: 2)
        var rng = Xoshiro256(seed: 4)
        for i in w.indices { w[i] += 0.05 * rng.nextGaussian() }
        let (_, g) = objective.lossAndGradient(w)
        let fd = finiteDifferenceGradient({ objective.loss($0) }, at: w)
        let worst = worstMismatch(g, fd, rtol: 1e-6, atol: 1e-9)
        #expect(worst.ratio <= 1, "\(settings): worst at \(worst.index), ratio \(worst.ratio)")
    }

    /// A mini-batch gradient is the mean of single-sample gradients (no BatchNorm), and the layer
    /// view the oracle hands out rebuilds the first layer's weight gradient.
    @Test func miniBatchGradientAndLayerViewThroughTheOracle() throws {
        let p = try float64("mlp", ["dtype=float64", "samples=20", "test_samples=0", "width=6", "depth=1", "classes=4"])
        let oracle = GradientOracle(p.makeObjective())
        let w = p.initialPoint(seed: 1)
        var batch = [Double](repeating: 0, count: p.dimension), single = batch, mean = batch
        let samples = [3, 7, 11]
        w.withUnsafeBufferPointer { wp in
            samples.withUnsafeBufferPointer { s in batch.withUnsafeMutableBufferPointer { oracle.sampleGradient(at: wp, samples: s, into: $0) } }
        }
        let view = try #require(oracle.layers)
        let (a, gs, b) = view.activations(0)
        let layer = view.layers[0]
        let block = p.layout.blocks[layer.weightBlock]
        for r in 0..<layer.outputs { for c in 0..<layer.inputs {
            var s = 0.0
            for k in 0..<b { s += gs[k * layer.outputs + r] * a[k * layer.inputs + c] }
            #expect(isClose(s, batch[block.offset + r * layer.inputs + c], rtol: 1e-12, atol: 1e-15))
        } }
        for i in samples {
            w.withUnsafeBufferPointer { wp in
                [i].withUnsafeBufferPointer { s in single.withUnsafeMutableBufferPointer { oracle.sampleGradient(at: wp, samples: s, into: $0) } }
            }
            for j in mean.indices { mean[j] += single[j] / Double(samples.count) }
        }
        #expect(isClose(batch, mean, rtol: 1e-12, atol: 1e-15))
        #expect(oracle.charges.samples == 6)
    }

    /// The UCI digits (1500 train, 297 test, 8×8) through the default MLP and SGD with momentum:
    /// ≥ 96 % test accuracy (the committed .gz copies; identical to the plain files).
    @Test func digitsReachNinetySixPercentTestAccuracy() throws {
        let p = try float32("mlp", Self.digits())
        #expect(p.sampleCount == 1500)
        let oracle = GradientOracle(p.makeObjective())
        let run = try Catalog.standard.optimizer(named: "sgd").make(["lr=0.1", "momentum=0.9", "batch_size=32"]).float32.start(on: oracle, seed: 0)
        var w = p.initialPoint(seed: 0)
        w.withUnsafeMutableBufferPointer { wp in while oracle.epochs < 20 { run.step(wp) } }
        var g = [Float](repeating: 0, count: p.dimension)
        let objective = p.makeObjective()
        _ = w.withUnsafeBufferPointer { wp in g.withUnsafeMutableBufferPointer { objective.lossAndGradient(at: wp, into: $0) } }
        let metrics = w.withUnsafeBufferPointer { wp in g.withUnsafeBufferPointer { objective.metrics(at: wp, gradient: $0) } }
        let accuracy = metrics[try #require(p.metricNames.firstIndex(of: "test_accuracy"))]
        #expect(accuracy >= 0.96, "test accuracy \(accuracy)")
        // The same files read plain give the same problem.
        let plain = try float32("mlp", Self.digits().map { $0.replacingOccurrences(of: ".gz", with: "") })
        let objective2 = plain.makeObjective()
        #expect(w.withUnsafeBufferPointer { objective2.loss(at: $0) } == w.withUnsafeBufferPointer { objective.loss(at: $0) })
    }

    @Test func badSettingsAndFilesAreRefusedByName() throws {
        let message = configurationMessage { _ = try instance("mlp", ["train-images=/nonexistent/x.idx", "train-labels=/nonexistent/y.idx"]) }
        #expect(message?.contains("/nonexistent/") == true)
        let half = configurationMessage { _ = try instance("mlp", ["train-images=\(IDXFixture.digits("digits-train-images-idx3-ubyte.gz"))"]) }
        #expect(half?.contains("train-labels") == true)
        let swapped = configurationMessage { _ = try instance("mlp", ["train-images=\(IDXFixture.digits("digits-train-images-idx3-ubyte.gz"))",
                                                                      "train-labels=\(IDXFixture.digits("digits-test-labels-idx1-ubyte.gz"))"]) }
        #expect(swapped != nil)
        let ce = configurationMessage { _ = try instance("mlp", ["data=teacher"]) }
        #expect(ce?.contains("loss=squared-error") == true)
        let widths = configurationMessage { _ = try instance("mlp", ["widths=3,0"]) }
        #expect(widths?.contains("widths") == true)
    }

    /// preprocess=unit divides by the training set's largest |x|, even a subnormal one (2⁻¹³⁰,
    /// whose reciprocal overflows a float): powers of two divide exactly, so the features are
    /// the ratios x/2⁻¹³⁰ as written.
    @Test func unitPreprocessingOfSubnormalImages() throws {
        let dir = try IDXFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let values: [Float] = [0x1p-130, -0x1p-131, 0x1p-132, 0, 0x1p-131, 0, -0x1p-130, 0x1p-133]
        var payload: [UInt8] = []
        for v in values { withUnsafeBytes(of: v.bitPattern.bigEndian) { payload += $0 } }
        var settings = NetworkDataSettings()
        settings.trainImages = try IDXFixture.write(IDXFixture.bytes(type: 0x0D, dims: [2, 2, 2], payload: payload), "images.idx", in: dir)
        settings.trainLabels = try IDXFixture.write(IDXFixture.bytes(type: 0x08, dims: [2], payload: [0, 1]), "labels.idx", in: dir)
        let (train, _) = try settings.load(problem: "mlp")
        #expect(train.features == [1, -0.5, 0.25, 0, 0.5, 0, -1, 0.125])
    }
}
