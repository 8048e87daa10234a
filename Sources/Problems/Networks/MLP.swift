import OptBenchCore
import OptBenchKernels
import OptBenchNeuralNetworks

/// Normalisation between an MLP's dense layer and its activation.
public enum MLPNormalization: String, CaseIterable, Sendable {
    case none, batch, layer
}

/// `mlp`: a multilayer perceptron x ↦ W_L φ(N(W_{L−1} ⋯ φ(N(W₁x + b₁)) ⋯) + b_L (N: optional
/// BatchNorm or LayerNorm, W optionally weight-normalised) trained with softmax cross-entropy or
/// squared error on MNIST-format files or a built-in synthetic set (`NetworkProblem` states F).
public enum MLP {
    public static let entry = ProblemEntry(
        name: "mlp",
        summary: "multilayer perceptron on IDX (MNIST-format) files or synthetic data, float32 by default",
        settings: [
            .choice("dtype", default: Precision.float32, "precision of the parameters and data"),
            .integer("width", 256, range: 1...1e5, "hidden width"),
            .integer("depth", 2, range: 0...1000, "hidden layers"),
            .vector("widths", [], "hidden widths h₁,…,h_k (overrides width and depth when given)"),
            .choice("activation", default: Activation.relu, "hidden nonlinearity φ"),
            .choice("loss", default: Loss.crossEntropy, "training loss (cross-entropy needs class labels)"),
            .choice("norm", default: MLPNormalization.none, "normalisation after each hidden dense layer"),
            .boolean("weight_norm", false, "weight-normalise every dense layer, W_r = g_r V_r/‖V_r‖"),
            .choice("init", default: WeightInitialization.kaimingFanIn, "weight initialisation"),
            .real("init_scale", 0.01, range: 0...1e6, "std of init=gaussian"),
            .real("clip_norm", 0, range: 0...1e12, "clip every gradient to this global ℓ2 norm (0: off), as clip_grad_norm_"),
            .real("clip_value", 0, range: 0...1e12, "clamp every gradient entry to ±this (0: off), as clip_grad_value_"),
        ] + NetworkDataSettings.declarations
    ) { p in
        let given = p.vector("widths")
        guard given.allSatisfy({ $0 >= 1 && $0 <= 1e5 && $0 == $0.rounded() }) else {
            throw ConfigurationError("problem 'mlp': widths=\(given) is not valid; expected positive integers h₁,…,h_k of at most 100000")
        }
        let hidden = given.isEmpty ? [Int](repeating: p.integer("width"), count: p.integer("depth")) : given.map { Int($0) }
        let (train, test) = try NetworkDataSettings.load(p, problem: "mlp")
        let loss = p.choice("loss", as: Loss.self)
        if case .regression = train.task, loss == .crossEntropy {
            throw ConfigurationError("problem 'mlp': loss=cross-entropy on regression targets (data=teacher); expected loss=squared-error")
        }
        let outputs: Int = switch train.task {
        case .classification(let c): c
        case .regression(let o): o
        }
        let activation = p.choice("activation", as: Activation.self)
        var specs: [LayerSpec] = []
        let weightNorm = p.boolean("weight_norm")
        var parameters = 0, fanIn = train.featureCount
        for h in hidden {
            specs.append(.dense(outputs: h, weightNorm: weightNorm))
            switch p.choice("norm", as: MLPNormalization.self) {
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
        let clipping = GradientClipping(value: p.real("clip_value") > 0 ? p.real("clip_value") : nil,
                                        norm: p.real("clip_norm") > 0 ? p.real("clip_norm") : nil)
        let label = problemLabel("mlp", p)
        func make<Scalar: KernelScalar>(_: Scalar.Type) -> NetworkProblem<Scalar> {
            NetworkProblem(label: label, specs: specs, loss: loss,
                           train: NetworkDataSettings.networkData(train, flatten: true, as: Scalar.self),
                           test: test.map { NetworkDataSettings.networkData($0, flatten: true, as: Scalar.self) },
                           initialization: p.choice("init", as: WeightInitialization.self), initializationScale: p.real("init_scale"),
                           activation: activation, clipping: clipping)
        }
        switch p.choice("dtype", as: Precision.self) {
        case .float32: return ProblemInstance(make(Float.self) as NetworkProblem<Float>)
        case .float64: return ProblemInstance(make(Double.self) as NetworkProblem<Double>)
        }
    }
}
