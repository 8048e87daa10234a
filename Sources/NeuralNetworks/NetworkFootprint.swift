import OptBenchKernels

/// What a network built from a `LayerSpec` list holds, counted from the specs alone, before any
/// layer is built: parameters, and the values of the buffers a pass over batches of B samples
/// keeps (each layer's output and output gradient, B values of each per sample, and the
/// layers' own scratch). Convolutions' per-thread buffers are counted for `availableThreads`
/// threads by the shape of the path they take (direct, phased or im2col), to within their
/// padding to vector lanes.
public struct NetworkFootprint: Sendable, Equatable {
    public var parameters = 0
    /// Buffer values for the batch, including the per-thread and per-chunk scratch.
    public var scratch = 0
    /// Values the top-level layers output per sample (`Network.activationsPerSample`).
    public var topLevelPerSample = 0
    public var outputShape: [Int]

    /// The footprint of `specs` on inputs of `inputShape` for batches of `batch` samples.
    public init(_ specs: [LayerSpec], inputShape: [Int], batch: Int) {
        outputShape = inputShape
        var shape = inputShape
        if specs.isEmpty { scratch = batch * inputShape.reduce(1, *) }
        for spec in specs {
            let (p, s, out) = Self.node(spec, shape, batch: batch)
            parameters += p
            let size = out.reduce(1, *)
            scratch += 2 * batch * size + s
            topLevelPerSample += size
            shape = out
        }
        outputShape = shape
    }

    /// (parameters, own scratch, output shape) of one layer.
    static func node(_ spec: LayerSpec, _ shape: [Int], batch: Int) -> (Int, Int, [Int]) {
        let size = shape.reduce(1, *)
        switch spec {
        case .dense(let outputs, let bias, let weightNorm):
            return (outputs * size + (bias ? outputs : 0) + (weightNorm ? outputs : 0),
                    weightNorm ? 2 * outputs * size + outputs : 0, [outputs])
        case .conv2d(let c, let k, let stride, let padding, let bias):
            let channels = shape[0], h = shape[1], w = shape[2]
            let ho = (h + 2 * padding - k) / stride + 1, wo = (w + 2 * padding - k) / stride + 1
            let patch = channels * k * k, gradient = c * patch + (bias ? c : 0)
            let padded = (h + 2 * padding) * (w + 2 * padding), pixels = ho * wo
            let threads = min(availableThreads, Int.bitWidth - 1)
            var scratch: Int
            if k == 1 && stride == 1 && padding == 0 {
                scratch = batch * gradient
            } else if stride == 1 && 2 * padding == k - 1 || stride > 1 {
                let chunk = 8
                scratch = threads * (max(channels, c) * padded + chunk * channels * padded + c * padded + chunk * c * pixels)
                    + 2 * c * patch + (batch + chunk - 1) / chunk * gradient
            } else {
                let chunk = max(1, 1024 / pixels)
                scratch = threads * (patch + c) * chunk * pixels + (batch + chunk - 1) / chunk * gradient
            }
            return (c * patch + (bias ? c : 0), scratch, [c, ho, wo])
        case .globalAveragePool:
            return (0, 0, [shape[0]])
        case .activation:
            return (0, 0, shape)
        case .batchNorm:
            return (2 * shape[0], 4 * shape[0], shape)
        case .layerNorm:
            return (2 * size, batch * (size + 1), shape)
        case .residual(let body, let shortcut, let activation):
            let b = NetworkFootprint(body, inputShape: shape, batch: batch)
            let s = shortcut.map { NetworkFootprint($0, inputShape: shape, batch: batch) }
            let out = b.outputShape, outSize = out.reduce(1, *)
            let keepsSum = activation != nil && activation != .relu
            return (b.parameters + (s?.parameters ?? 0),
                    b.scratch + (s?.scratch ?? 0) + (keepsSum ? batch * outSize : 0) + batch * size, out)
        }
    }
}
