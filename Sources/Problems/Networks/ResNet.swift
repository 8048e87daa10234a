import OptBenchCore
import OptBenchKernels
import OptBenchDatasets
import OptBenchNeuralNetworks

/// The architecture a `resnet` problem builds.
public enum ResNetForm: String, CaseIterable, Sendable {
    /// He et al.'s CIFAR ResNet-(6n+2) on images: 3×3 convolutions, BatchNorm, identity and
    /// projection shortcuts, global average pooling.
    case convolutional
    /// The survey's eq. (19) on vectors: z ← φ(W₁·φ(W₂·z) + z).
    case fullyConnected = "fully-connected"
}

/// `resnet`: residual networks trained like `mlp` (`NetworkProblem` states F) on MNIST-format
/// files or the synthetic sets; `form=convolutional` needs image samples (H×W or C×H×W).
public enum ResNet {
    public static let entry = ProblemEntry(
        name: "resnet",
        summary: "residual network (convolutional ResNet-(6n+2) or the fully-connected eq. (19)) on IDX files or synthetic data, float32",
        settings: [
            .choice("dtype", default: Precision.float32, "precision of the parameters and data"),
            .choice("form", default: ResNetForm.convolutional, "convolutional ResNet on images, or fully-connected residual blocks"),
            .integer("depth", 20, range: 8...1000, "convolutional: weight layers 6n + 2 (8, 14, 20, 32, …)"),
            .integer("width", 16, range: 1...4096, "convolutional: channels of the first stage (doubling per stage); fully-connected: block width"),
            .integer("blocks", 3, range: 0...1000, "fully-connected: residual blocks"),
            .boolean("batch_norm", true, "convolutional: BatchNorm after each convolution (false: biases instead, for init=fixup)"),
            .choice("activation", default: Activation.relu, "fully-connected: the nonlinearity φ"),
            .choice("init", default: WeightInitialization.kaimingFanIn, "weight initialisation"),
            .real("init_scale", 0.01, range: 0...1e6, "std of init=gaussian"),
            .real("clip_norm", 0, range: 0...1e12, "clip every gradient to this global ℓ2 norm (0: off)"),
            .real("clip_value", 0, range: 0...1e12, "clamp every gradient entry to ±this (0: off)"),
        ] + NetworkDataSettings.declarations
    ) { p in
        let (train, test) = try NetworkDataSettings.load(p, problem: "resnet")
        guard case .classification(let classes) = train.task else {
            throw ConfigurationError("problem 'resnet': data=teacher is a regression set; expected class labels (data=mnist-shaped or IDX files)")
        }
        let form = p.choice("form", as: ResNetForm.self)
        let specs: [LayerSpec]
        var shape = train.sampleShape
        let activation: Activation
        switch form {
        case .convolutional:
            guard shape.count == 2 || shape.count == 3 else {
                throw ConfigurationError("problem 'resnet': samples of shape \(shape.map(String.init).joined(separator: "×")); expected images H×W or C×H×W for form=convolutional (or form=fully-connected)")
            }
            if shape.count == 2 { shape = [1] + shape }
            specs = try ResNetArchitecture.convolutional(depth: p.integer("depth"), width: p.integer("width"), classes: classes,
                                                         normalization: p.boolean("batch_norm"))
            activation = .relu
        case .fullyConnected:
            shape = [train.featureCount]
            activation = p.choice("activation", as: Activation.self)
            specs = ResNetArchitecture.fullyConnected(width: p.integer("width"), blocks: p.integer("blocks"), outputs: classes, activation: activation)
        }
        let clipping = GradientClipping(value: p.real("clip_value") > 0 ? p.real("clip_value") : nil,
                                        norm: p.real("clip_norm") > 0 ? p.real("clip_norm") : nil)
        let label = problemLabel("resnet", p)
        func data<Scalar: KernelScalar>(_ d: Dataset, _: Scalar.Type) -> NetworkData<Scalar> {
            let base: NetworkData<Scalar> = NetworkDataSettings.networkData(d, flatten: true, as: Scalar.self)
            return NetworkData(features: base.features, sampleShape: shape, labels: base.labels, classes: base.classes)
        }
        func make<Scalar: KernelScalar>(_: Scalar.Type) -> NetworkProblem<Scalar> {
            NetworkProblem(label: label, specs: specs, loss: .crossEntropy, train: data(train, Scalar.self), test: test.map { data($0, Scalar.self) },
                           initialization: p.choice("init", as: WeightInitialization.self), initializationScale: p.real("init_scale"),
                           activation: activation, clipping: clipping)
        }
        switch p.choice("dtype", as: Precision.self) {
        case .float32: return ProblemInstance(make(Float.self) as NetworkProblem<Float>)
        case .float64: return ProblemInstance(make(Double.self) as NetworkProblem<Double>)
        }
    }
}
