import OptBenchCore

/// Residual network architectures as `LayerSpec` lists.
///
/// `convolutional` is the CIFAR ResNet-(6n+2) of He et al. (2016, §4.2) on [C, H, W] images
/// (e.g. 28×28×1): a 3×3 convolution to w channels → BatchNorm → ReLU; then S stages (3 in the
/// paper) of n basic blocks each, stage s at width w·2^s, every block
///
///     y = ReLU(BN(conv3×3(ReLU(BN(conv3×3(x))))) + shortcut(x)),
///
/// the first block of every stage after the first with stride 2 and a projection shortcut,
/// BN(conv1×1 stride 2) (the paper's option B; identity shortcuts elsewhere); then global
/// average pooling and a dense layer to the classes. Depth 6n + 2 counts the weight layers
/// on the main path (3 stages): n = 3 is ResNet-20, n = 9 ResNet-56. Convolutions carry no bias
/// when BatchNorm follows (its shift takes that role); with `normalization: false` — for
/// Fixup — every BatchNorm is dropped and the convolutions get biases.
///
/// `fullyConnected` is the survey's eq. (19) on vectors: z ← φ(W₁·φ(W₂·z) + z), `blocks` times
/// at a fixed width, between a dense input projection (followed by φ) and a dense output layer.
public enum ResNetArchitecture {
    /// The convolutional ResNet with `blocksPerStage` = n blocks per stage.
    public static func convolutional(blocksPerStage n: Int = 3, width: Int = 16, stages: Int = 3, classes: Int = 10,
                                     normalization: Bool = true) -> [LayerSpec] {
        precondition(n >= 1 && width >= 1 && stages >= 1 && classes >= 1, "a ResNet needs positive blocks, width, stages and classes")
        let bias = !normalization
        func convolution(_ channels: Int, kernel: Int, stride: Int) -> [LayerSpec] {
            [.conv2d(channels: channels, kernel: kernel, stride: stride, padding: kernel / 2, bias: bias)] + (normalization ? [.batchNorm] : [])
        }
        var specs = convolution(width, kernel: 3, stride: 1) + [.activation(.relu)]
        for stage in 0..<stages {
            let channels = width << stage
            for block in 0..<n {
                let stride = stage > 0 && block == 0 ? 2 : 1
                let body = convolution(channels, kernel: 3, stride: stride) + [.activation(.relu)] + convolution(channels, kernel: 3, stride: 1)
                let shortcut = stride == 1 ? nil : convolution(channels, kernel: 1, stride: stride)
                specs.append(.residual(body: body, shortcut: shortcut, activation: .relu))
            }
        }
        return specs + [.globalAveragePool, .dense(outputs: classes)]
    }

    /// The convolutional ResNet of `depth` = 6n + 2 weight layers (20, 32, 44, 56, 110, …).
    public static func convolutional(depth: Int, width: Int = 16, classes: Int = 10, normalization: Bool = true) throws -> [LayerSpec] {
        guard depth >= 8, (depth - 2) % 6 == 0 else {
            throw ConfigurationError("resnet: depth=\(depth) is not valid; expected 6n + 2 for n ≥ 1 (8, 14, 20, 32, 44, 56, 110)")
        }
        guard width >= 1, classes >= 1 else {
            throw ConfigurationError("resnet: width=\(width), classes=\(classes) are not valid; expected positive integers")
        }
        return convolutional(blocksPerStage: (depth - 2) / 6, width: width, classes: classes, normalization: normalization)
    }

    /// Eq. (19) of the survey on vector data: dense(width) → φ, `blocks` residual blocks
    /// z ← φ(W₁·φ(W₂·z) + z) of that width, dense(outputs).
    public static func fullyConnected(width: Int, blocks: Int, outputs: Int, activation: Activation = .relu) -> [LayerSpec] {
        precondition(width >= 1 && blocks >= 0 && outputs >= 1, "a residual MLP needs a positive width and outputs")
        let block: LayerSpec = .residual(body: [.dense(outputs: width), .activation(activation), .dense(outputs: width)],
                                         shortcut: nil, activation: activation)
        return [.dense(outputs: width), .activation(activation)] + Array(repeating: block, count: blocks) + [.dense(outputs: outputs)]
    }
}
