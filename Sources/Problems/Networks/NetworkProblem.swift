import OptBenchCore
import OptBenchKernels
import OptBenchNeuralNetworks

/// Training a network f(w; x) (an MLP, a residual net) on a dataset of n samples:
///
///     F(w) = (1/n) Σᵢ ℓ(f(w; xᵢ), yᵢ),
///
/// with ℓ softmax cross-entropy or squared error (`Loss`), in float32 (the default) or float64.
/// Mini-batch gradients ∇f_B are one forward and one backward pass over the batch on the GEMM;
/// F and ∇F are the same over the training set in chunks of `chunkSize` samples. With
/// BatchNorm, the training loss is the mode a step sees: each chunk normalised by its own
/// statistics (the running averages untouched), so F and ∇F stay a function and its gradient;
/// accuracies use the running averages, as `model.eval()` does. Gradient clipping, when set,
/// is applied to every gradient the problem returns.
///
/// Per record it reports the train and test accuracy (evaluation mode), the test loss and the
/// norm of each weight tensor's gradient ‖∂F/∂W_ℓ‖₂ (to see explosion and vanishing). It
/// offers the layer view: per-layer inputs and output gradients of the last mini-batch.
/// F* is unknown (no theory constants beyond n and d).
public final class NetworkProblem<Scalar: KernelScalar>: Problem {
    public let label: String
    public let specs: [LayerSpec]
    public let loss: Loss
    public let train: NetworkData<Scalar>
    public let test: NetworkData<Scalar>?
    public let initialization: WeightInitialization
    public let initializationScale: Double
    /// The activation after weight layers, for initialisers' gains.
    public let activation: Activation?
    public let clipping: GradientClipping
    public let layout: ParameterLayout
    public let weights: [WeightTensor]
    public let theory: TheoryConstants
    public let outputShape: [Int]
    /// |B| of rules whose `batch_size` is `auto` (see `Objective.miniBatch`).
    public let miniBatch: Int?
    /// Samples per chunk of full-set passes: 500, fewer for nets whose activations would
    /// otherwise take more than about 2²⁰ values per top-level layer pass (deep convolutional nets).
    public let chunkSize: Int

    public init(label: String, specs: [LayerSpec], loss: Loss, train: NetworkData<Scalar>, test: NetworkData<Scalar>?,
                initialization: WeightInitialization, initializationScale: Double = 1, activation: Activation?,
                clipping: GradientClipping = GradientClipping(), miniBatch: Int? = 128) {
        self.label = label
        self.miniBatch = miniBatch
        self.specs = specs
        self.loss = loss
        self.train = train
        self.test = test
        self.initialization = initialization
        self.initializationScale = initializationScale
        self.activation = activation
        self.clipping = clipping
        let network = Network<Scalar>(specs, inputShape: train.sampleShape, loss: loss)
        layout = network.layout
        weights = network.weights
        outputShape = network.outputShape
        chunkSize = max(1, min(500, (1 << 20) / max(network.activationsPerSample, 1)))
        theory = TheoryConstants(sampleCount: train.count, dimension: network.dimension)
    }

    public var dimension: Int { layout.dimension }
    public var sampleCount: Int { train.count }

    @_specialize(exported: true, where Scalar == Float)
    @_specialize(exported: true, where Scalar == Double)
    public func makeRunObjective() -> AnyObjective<Scalar> { AnyObjective(NetworkRun(self)) }

    public func initialPoint(seed: UInt64) -> [Scalar] {
        let network = Network<Scalar>(specs, inputShape: train.sampleShape, loss: loss)
        let batch = min(train.count, 256)
        return train.features.withUnsafeBufferPointer {
            network.initialParameters(initialization, scale: initializationScale, activation: activation, seed: seed,
                                      batch: $0.baseAddress, batchSize: batch)
        }
    }

    public var metricNames: [String] {
        var names = ["train_loss_eval"]
        if train.isClassification { names.append("train_accuracy") }
        if let test { names.append("test_loss"); if test.isClassification { names.append("test_accuracy") } }
        return names + weights.map { "grad_norm.\($0.name)" }
    }

    // The problem as an objective (tests, capabilities): a fresh run each call.
    public func loss(at w: UnsafeBufferPointer<Scalar>) -> Double { NetworkRun(self).loss(at: w) }
    public func lossAndGradient(at w: UnsafeBufferPointer<Scalar>, into gradient: UnsafeMutableBufferPointer<Scalar>) -> Double {
        NetworkRun(self).lossAndGradient(at: w, into: gradient)
    }
    public func sampleGradient(at w: UnsafeBufferPointer<Scalar>, samples: UnsafeBufferPointer<Int>,
                               into gradient: UnsafeMutableBufferPointer<Scalar>) {
        NetworkRun(self).sampleGradient(at: w, samples: samples, into: gradient)
    }
    public func layers() -> LayerView<Scalar>? { NetworkRun(self).layers() }
}

/// One run's evaluation of a `NetworkProblem`: its network (activations, BatchNorm running
/// averages) and the buffers of a mini-batch's labels or targets, allocated once; the
/// network reads the mini-batch's inputs where the data set holds them.
final class NetworkRun<Scalar: KernelScalar>: Objective {
    let problem: NetworkProblem<Scalar>
    let network: Network<Scalar>
    private var batchLabels: [Int32] = []
    private var batchTargets: [Scalar] = []
    private var chunkGradient: [Scalar]

    init(_ problem: NetworkProblem<Scalar>) {
        self.problem = problem
        network = Network(problem.specs, inputShape: problem.train.sampleShape, loss: problem.loss)
        chunkGradient = Array(repeating: 0, count: problem.dimension)
    }

    var dimension: Int { problem.dimension }
    var sampleCount: Int { problem.train.count }
    var layout: ParameterLayout { problem.layout }
    var miniBatch: Int? { problem.miniBatch }

    func loss(at w: UnsafeBufferPointer<Scalar>) -> Double {
        pass(problem.train, w, mode: .probing, gradient: nil).loss
    }

    func lossAndGradient(at w: UnsafeBufferPointer<Scalar>, into gradient: UnsafeMutableBufferPointer<Scalar>) -> Double {
        let f = pass(problem.train, w, mode: .probing, gradient: gradient).loss
        problem.clipping.apply(gradient)
        return f
    }

    func sampleGradient(at w: UnsafeBufferPointer<Scalar>, samples: UnsafeBufferPointer<Int>,
                        into gradient: UnsafeMutableBufferPointer<Scalar>) {
        let data = problem.train, batch = samples.count
        let scale = 1 / Scalar(batch)
        if data.isClassification {
            if batchLabels.count < batch { batchLabels = Array(repeating: 0, count: batch) }
            for (b, i) in samples.enumerated() { batchLabels[b] = data.labels[i] }
            data.features.withUnsafeBufferPointer { f in
                batchLabels.withUnsafeBufferPointer { y in
                    _ = network.evaluate(w.baseAddress!, gathering: samples, of: f.baseAddress!, .labels(y.baseAddress!), mode: .training,
                                         scale: scale, gradient: gradient.baseAddress!)
                }
            }
        } else {
            let outputs = data.outputs
            if batchTargets.count < batch * outputs { batchTargets = Array(repeating: 0, count: batch * outputs) }
            batchTargets.withUnsafeMutableBufferPointer { t in
                data.targets.withUnsafeBufferPointer { y in gatherRows(y.baseAddress!, rowLength: outputs, indices: samples, into: t.baseAddress!) }
            }
            data.features.withUnsafeBufferPointer { f in
                batchTargets.withUnsafeBufferPointer { y in
                    _ = network.evaluate(w.baseAddress!, gathering: samples, of: f.baseAddress!, .values(y.baseAddress!), mode: .training,
                                         scale: scale, gradient: gradient.baseAddress!)
                }
            }
        }
        problem.clipping.apply(gradient)
    }

    func layers() -> LayerView<Scalar>? { network.layerView() }

    /// (1/n) Σ ℓ and the accuracy over a dataset in chunks, with (1/n) Σ ∇ℓ into `gradient`.
    func pass(_ data: NetworkData<Scalar>, _ w: UnsafeBufferPointer<Scalar>, mode: NetworkMode,
              gradient: UnsafeMutableBufferPointer<Scalar>?) -> (loss: Double, accuracy: Double) {
        let n = data.count, size = data.featureCount, chunk = problem.chunkSize
        let scale = 1 / Scalar(n)
        if let gradient { gradient.update(repeating: 0) }
        var total = 0.0, correct = 0
        data.features.withUnsafeBufferPointer { f in
            chunkGradient.withUnsafeMutableBufferPointer { cg in
                var start = 0
                while start < n {
                    let count = min(chunk, n - start)
                    let x = f.baseAddress! + start * size
                    let r: (sum: Double, correct: Int)
                    if data.isClassification {
                        r = data.labels.withUnsafeBufferPointer { y in
                            network.evaluate(w.baseAddress!, x, .labels(y.baseAddress! + start), batch: count, mode: mode, scale: scale,
                                             gradient: gradient == nil ? nil : cg.baseAddress!)
                        }
                    } else {
                        r = data.targets.withUnsafeBufferPointer { y in
                            network.evaluate(w.baseAddress!, x, .values(y.baseAddress! + start * data.outputs), batch: count, mode: mode,
                                             scale: scale, gradient: gradient == nil ? nil : cg.baseAddress!)
                        }
                    }
                    total += r.sum
                    correct += r.correct
                    if let gradient { axpy(gradient.count, 1, cg.baseAddress!, gradient.baseAddress!) }
                    start += count
                }
            }
        }
        return (total / Double(max(n, 1)), Double(correct) / Double(max(n, 1)))
    }

    func metrics(at w: UnsafeBufferPointer<Scalar>, gradient: UnsafeBufferPointer<Scalar>) -> [Double] {
        let trainEval = pass(problem.train, w, mode: .evaluation, gradient: nil)
        var values = [trainEval.loss]
        if problem.train.isClassification { values.append(trainEval.accuracy) }
        if let test = problem.test {
            let t = pass(test, w, mode: .evaluation, gradient: nil)
            values.append(t.loss)
            if test.isClassification { values.append(t.accuracy) }
        }
        for t in problem.weights { values.append(Double(nrm2(t.count, gradient.baseAddress! + t.offset))) }
        return values
    }
}
