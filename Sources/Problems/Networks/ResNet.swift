import OptBenchCore
import OptBenchKernels
import OptBenchDatasets
import OptBenchNeuralNetworks

/// The architecture a `resnet` problem builds.
public enum ResNetForm: String, ParameterChoice {
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
        settings: ResNetSettings.self, memory: { s in try s.memory() }
    ) { s, label in
        let (train, test) = try s.data.load(problem: "resnet")
        guard case .classification(let classes) = train.task else {
            throw ConfigurationError("problem 'resnet': data=teacher is a regression set; expected class labels (data=mnist-shaped or IDX files)")
        }
        let specs: [LayerSpec]
        var shape = train.sampleShape
        let activation: Activation
        switch s.form {
        case .convolutional:
            guard shape.count == 2 || shape.count == 3 else {
                throw ConfigurationError("problem 'resnet': samples of shape \(shape.map(String.init).joined(separator: "×")); expected images H×W or C×H×W for form=convolutional (or form=fully-connected)")
            }
            if shape.count == 2 { shape = [1] + shape }
            specs = try ResNetArchitecture.convolutional(depth: s.depth, width: s.width, classes: classes, normalization: s.batchNorm)
            activation = .relu
        case .fullyConnected:
            shape = [train.featureCount]
            activation = s.activation
            specs = ResNetArchitecture.fullyConnected(width: s.width, blocks: s.blocks, outputs: classes, activation: activation)
        }
        let clipping = s.clipping.clipping
        func data<Scalar: KernelScalar>(_ d: Dataset, _: Scalar.Type) -> NetworkData<Scalar> {
            let base: NetworkData<Scalar> = NetworkDataSettings.networkData(d, flatten: true, as: Scalar.self)
            return NetworkData(features: base.features, sampleShape: shape, labels: base.labels, classes: base.classes)
        }
        func make<Scalar: KernelScalar>(_: Scalar.Type) -> NetworkProblem<Scalar> {
            NetworkProblem(label: label, specs: specs, loss: .crossEntropy, train: data(train, Scalar.self), test: test.map { data($0, Scalar.self) },
                           initialization: s.initialization, initializationScale: s.initScale,
                           activation: activation, clipping: clipping, miniBatch: s.data.batchSize)
        }
        switch s.dtype {
        case .float32: return ProblemInstance(make(Float.self) as NetworkProblem<Float>)
        case .float64: return ProblemInstance(make(Double.self) as NetworkProblem<Double>)
        }
    }
}

extension ResNetSettings {
    /// What an instance takes, as `networkEstimate` counts it for this architecture.
    func memory() throws(ConfigurationError) -> MemoryEstimate {
        let f = data.footprint()
        var shape = f.shape
        let specs: [LayerSpec]
        switch form {
        case .convolutional:
            if shape.count == 1 { shape = [1, 1, shape[0]] }
            if shape.count == 2 { shape = [1] + shape }
            guard shape.count == 3 else { return MemoryEstimate(construction: 0, resident: 0, perRun: 0) }
            guard let s = try? ResNetArchitecture.convolutional(depth: depth, width: width, classes: f.outputs, normalization: batchNorm) else {
                return MemoryEstimate(construction: 0, resident: 0, perRun: 0)
            }
            specs = s
        case .fullyConnected:
            shape = [shape.reduce(1, *)]
            specs = ResNetArchitecture.fullyConnected(width: width, blocks: blocks, outputs: f.outputs, activation: activation)
        }
        return networkEstimate(specs, inputShape: shape, data: f, scalar: dtype.bytes)
    }
}

/// The settings of `resnet`.
public struct ResNetSettings: ParameterSet {
    @Setting("dtype", "precision of the parameters and data")
    public var dtype = Precision.float32
    @Setting("form", "convolutional ResNet on images, or fully-connected residual blocks")
    public var form = ResNetForm.convolutional
    @Setting("depth", range: 8...1000, "convolutional: weight layers 6n + 2 (8, 14, 20, 32, …)")
    public var depth = 20
    @Setting("width", range: 1...4096, "convolutional: channels of the first stage (doubling per stage); fully-connected: block width")
    public var width = 16
    @Setting("blocks", range: 0...1000, "fully-connected: residual blocks")
    public var blocks = 3
    @Setting("batch_norm", "convolutional: BatchNorm after each convolution (false: biases instead, for init=fixup)")
    public var batchNorm = true
    @Setting("activation", "fully-connected: the nonlinearity φ")
    public var activation = Activation.relu
    @Setting("init", "weight initialisation")
    public var initialization = WeightInitialization.kaimingFanIn
    @Setting("init_scale", range: 0...1e6, "std of init=gaussian")
    public var initScale = 0.01
    public var clipping = ClippingSettings()
    public var data = NetworkDataSettings()
    public init() {}
}
