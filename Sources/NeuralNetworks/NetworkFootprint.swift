import OptBenchKernels

/// What a network built from a `LayerSpec` list holds, counted from the specs alone, before any
/// layer is built: parameters, and the values of the buffers a pass over batches of B samples
/// keeps (each layer's output and output gradient, B values of each per sample, and the
/// layers' own scratch). Convolutions' per-thread buffers are counted for `availableThreads`
/// threads as `Conv2D` sizes them for the path it takes (direct, phased or im2col).
public struct NetworkFootprint: Sendable, Equatable {
    public var parameters = 0
    /// Buffer values for the batch, including the per-thread and per-chunk scratch.
    public var scratch = 0
    /// Values the top-level layers output per sample (`Network.activationsPerSample`).
    public var topLevelPerSample = 0
    public var outputShape: [Int]

    /// The footprint of a network of `specs` on inputs of `inputShape` for batches of `batch`
    /// samples, with the gathered batch a first layer other than a dense one reads.
    public init<Scalar: KernelScalar>(network specs: [LayerSpec], inputShape: [Int], batch: Int, as _: Scalar.Type) {
        self.init(specs, inputShape: inputShape, batch: batch, as: Scalar.self)
        if case .dense = specs.first {} else { scratch += batch * inputShape.reduce(1, *) }
    }

    /// The footprint of the layers `specs` on inputs of `inputShape` for batches of `batch` samples.
    public init<Scalar: KernelScalar>(_ specs: [LayerSpec], inputShape: [Int], batch: Int, as _: Scalar.Type) {
        outputShape = inputShape
        var shape = inputShape
        if specs.isEmpty { scratch = batch * inputShape.reduce(1, *) }
        for spec in specs {
            let (p, s, out) = Self.node(spec, shape, batch: batch, as: Scalar.self)
            parameters += p
            let size = out.reduce(1, *)
            scratch += 2 * batch * size + s
            topLevelPerSample += size
            shape = out
        }
        outputShape = shape
    }

    /// (parameters, own scratch, output shape) of one layer.
    static func node<Scalar: KernelScalar>(_ spec: LayerSpec, _ shape: [Int], batch: Int, as _: Scalar.Type) -> (Int, Int, [Int]) {
        let size = shape.reduce(1, *)
        switch spec {
        case .dense(let outputs, let bias, let weightNorm):
            return (outputs * size + (bias ? outputs : 0) + (weightNorm ? outputs : 0),
                    weightNorm ? 2 * outputs * size + outputs : 0, [outputs])
        case .conv2d(let c, let k, let stride, let padding, let bias):
            let g = ConvolutionGeometry(channels: shape[0], height: shape[1], width: shape[2], kernel: k, stride: stride, padding: padding)
            let gradient = c * g.patchSize + (bias ? c : 0)
            let b = Conv2D<Scalar>.bufferSizes(g, channels: c)
            let threads = min(availableThreads, Int.bitWidth - 1)
            let scratch = threads * (b.columns + b.gathered + b.padded + b.paddedGradient + b.transposed) + b.packed + b.packedFlipped
                + (batch + b.chunkSamples - 1) / b.chunkSamples * gradient
            return (gradient, scratch, [c, g.outputHeight, g.outputWidth])
        case .globalAveragePool:
            return (0, 0, [shape[0]])
        case .activation:
            return (0, 0, shape)
        case .batchNorm:
            return (2 * shape[0], 4 * shape[0], shape)
        case .layerNorm:
            return (2 * size, batch * (size + 1), shape)
        case .residual(let body, let shortcut, let activation):
            let b = NetworkFootprint(body, inputShape: shape, batch: batch, as: Scalar.self)
            let s = shortcut.map { NetworkFootprint($0, inputShape: shape, batch: batch, as: Scalar.self) }
            let out = b.outputShape, outSize = out.reduce(1, *)
            let keepsSum = activation != nil && activation != .relu
            return (b.parameters + (s?.parameters ?? 0),
                    b.scratch + (s?.scratch ?? 0) + (keepsSum ? batch * outSize : 0) + batch * size, out)
        }
    }
}
