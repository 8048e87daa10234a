import OptBenchCore
import OptBenchKernels
import OptBenchNeuralNetworks

/// Normalisation between an MLP's dense layer and its activation.
public enum MLPNormalization: String, ParameterChoice {
    case none, batch, layer
}

/// `mlp`: a multilayer perceptron x ↦ W_L φ(N(W_{L−1} ⋯ φ(N(W₁x + b₁)) ⋯) + b_L (N: optional
/// BatchNorm or LayerNorm, W optionally weight-normalised) trained with softmax cross-entropy or
/// squared error on MNIST-format files or a built-in synthetic set (`NetworkProblem` states F).
public enum MLP {
    public static let entry = ProblemEntry(
        name: "mlp", summary: "multilayer perceptron on IDX (MNIST-format) files or synthetic data, float32 by default",
        settings: MLPSettings.self, memory: { s in try s.memory() }
    ) { s, label in
        let hidden = try s.hiddenWidths()
        let (train, test) = try s.data.load(problem: "mlp")
        let loss = s.loss
        if case .regression = train.task, loss == .crossEntropy {
            throw ConfigurationError("problem 'mlp': loss=cross-entropy on regression targets (data=teacher); expected loss=squared-error")
        }
        let outputs: Int = switch train.task {
        case .classification(let c): c
        case .regression(let o): o
        }
        let activation = s.activation
        let specs = try s.layers(inputs: train.featureCount, hidden: hidden, outputs: outputs)
        let clipping = s.clipping.clipping
        func make<Scalar: KernelScalar>(_: Scalar.Type) -> NetworkProblem<Scalar> {
            NetworkProblem(label: label, specs: specs, loss: loss,
                           train: NetworkDataSettings.networkData(train, flatten: true, as: Scalar.self),
                           test: test.map { NetworkDataSettings.networkData($0, flatten: true, as: Scalar.self) },
                           initialization: s.initialization, initializationScale: s.initScale,
                           activation: activation, clipping: clipping, miniBatch: s.data.batchSize)
        }
        switch s.dtype {
        case .float32: return ProblemInstance(make(Float.self) as NetworkProblem<Float>)
        case .float64: return ProblemInstance(make(Double.self) as NetworkProblem<Double>)
        }
    }
}

extension MLPSettings {
    /// h₁, …, h_k from `widths`, or `depth` times `width`.
    func hiddenWidths() throws(ConfigurationError) -> [Int] {
        guard widths.allSatisfy({ $0 >= 1 && $0 <= 1e5 && $0 == $0.rounded() }) else {
            throw ConfigurationError("problem 'mlp': widths=\(widths) is not valid; expected positive integers h₁,…,h_k of at most 100000")
        }
        return widths.isEmpty ? [Int](repeating: width, count: depth) : widths.map { Int($0) }
    }

    /// What an instance takes, from the settings and the data files' headers: the data as
    /// `NetworkDataSettings.footprint` counts it, in the run precision; a run adds the
    /// parameters and the network's buffers at the full-pass chunk (`NetworkProblem.chunkSize`
    /// samples; a larger mini-batch adds its activations in proportion).
    func memory() throws(ConfigurationError) -> MemoryEstimate {
        let hidden = try hiddenWidths()
        let f = data.footprint()
        let inputs = f.shape.reduce(1, *)
        let specs = try layers(inputs: inputs, hidden: hidden, outputs: f.outputs)
        return networkEstimate(specs, inputShape: [inputs], data: f, scalar: dtype.bytes)
    }

    /// Per hidden width h_ℓ a dense layer, its normalisation and the activation, then the dense
    /// output layer; refused when the weights would not fit (`checkSize`).
    func layers(inputs: Int, hidden: [Int], outputs: Int) throws(ConfigurationError) -> [LayerSpec] {
        var specs: [LayerSpec] = [], parameters = 0, fanIn = inputs
        for h in hidden {
            specs.append(.dense(outputs: h, weightNorm: weightNorm))
            switch norm {
            case .none: break
            case .batch: specs.append(.batchNorm)
            case .layer: specs.append(.layerNorm)
            }
            specs.append(.activation(activation))
            parameters += fanIn * h
            fanIn = h
        }
        specs.append(.dense(outputs: outputs, weightNorm: weightNorm))
        try checkSize("mlp", "\(hidden.count + 1) layers of width up to \(hidden.max() ?? outputs)", entries: (parameters + fanIn * outputs, 1))
        return specs
    }
}

/// The estimate of a network problem on data of footprint `data`: loading (float32) and the
/// sets in the run precision, a network's fixed buffers at construction; per run the
/// parameters and the buffers at the full-pass chunk.
func networkEstimate(_ specs: [LayerSpec], inputShape: [Int], data f: (train: Int, test: Int, shape: [Int], outputs: Int, loading: Int),
                     scalar: Int) -> MemoryEstimate {
    let top = scalar == 4 ? NetworkFootprint(network: specs, inputShape: inputShape, batch: 0, as: Float.self)
        : NetworkFootprint(network: specs, inputShape: inputShape, batch: 0, as: Double.self)
    let chunk = max(1, min(500, (1 << 20) / max(top.topLevelPerSample, 1)))
    let run = scalar == 4 ? NetworkFootprint(network: specs, inputShape: inputShape, batch: chunk, as: Float.self)
        : NetworkFootprint(network: specs, inputShape: inputShape, batch: chunk, as: Double.self)
    let sets = Bytes.values(f.train + f.test, inputShape.reduce(1, *) + f.outputs, of: scalar)
    let construction = Bytes(f.loading) + (scalar == 4 ? Bytes() : sets) + Bytes.values(top.scratch, of: scalar)
    return estimate(construction: construction, resident: sets, parameters: top.parameters, scalar: scalar,
                    scratch: Bytes.values(run.scratch, of: scalar))
}

/// The settings of `mlp`.
public struct MLPSettings: ParameterSet {
    @Setting("dtype", "precision of the parameters and data")
    public var dtype = Precision.float32
    @Setting("width", range: 1...1e5, "hidden width")
    public var width = 256
    @Setting("depth", range: 0...1000, "hidden layers")
    public var depth = 2
    @Setting("widths", "hidden widths h₁,…,h_k (overrides width and depth when given)")
    public var widths: [Double] = []
    @Setting("activation", "hidden nonlinearity φ")
    public var activation = Activation.relu
    @Setting("loss", "training loss (cross-entropy needs class labels)")
    public var loss = Loss.crossEntropy
    @Setting("norm", "normalisation after each hidden dense layer")
    public var norm = MLPNormalization.none
    @Setting("weight_norm", "weight-normalise every dense layer, W_r = g_r V_r/‖V_r‖")
    public var weightNorm = false
    @Setting("init", "weight initialisation")
    public var initialization = WeightInitialization.kaimingFanIn
    @Setting("init_scale", range: 0...1e6, "std of init=gaussian")
    public var initScale = 0.01
    public var clipping = ClippingSettings()
    public var data = NetworkDataSettings()
    public init() {}
}

/// Gradient clipping of a network problem, for any optimizer.
public struct ClippingSettings: ParameterSet {
    @Setting("clip_norm", range: 0...1e12, "clip every gradient to this global ℓ2 norm (0: off), as clip_grad_norm_")
    public var norm = 0.0
    @Setting("clip_value", range: 0...1e12, "clamp every gradient entry to ±this (0: off), as clip_grad_value_")
    public var value = 0.0
    public init() {}

    var clipping: GradientClipping { GradientClipping(value: value > 0 ? value : nil, norm: norm > 0 ? norm : nil) }
}
