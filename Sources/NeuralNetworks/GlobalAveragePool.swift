import OptBenchKernels

/// Global average pooling over the positions of each channel, [C, H, W] → [C]:
/// y_c = (1/(H·W)) Σ_{h,w} x[c, h, w]; backward ∂f/∂x[c, h, w] = (1/(H·W)) ∂f/∂y_c.
final class GlobalAveragePool<Scalar: KernelScalar>: Layer {
    let inputShape: [Int]
    var outputShape: [Int] { [inputShape[0]] }
    private let channels: Int
    private let positions: Int

    init(inputShape shape: [Int]) {
        precondition(shape.count == 3, "global average pooling needs [C, H, W] inputs, got \(shape)")
        inputShape = shape
        channels = shape[0]
        positions = shape[1] * shape[2]
    }

    func reserve(batch: Int) {}

    func forward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int, mode: NetworkMode) {
        let scale = 1 / Scalar(positions)
        for r in 0..<(batch * channels) { y[r] = scale * sum(positions, x + r * positions) }
    }

    func backward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafePointer<Scalar>, _ dy: UnsafePointer<Scalar>,
                  _ dx: UnsafeMutablePointer<Scalar>?, _ dw: UnsafeMutablePointer<Scalar>, batch: Int, mode: NetworkMode) {
        guard let dx else { return }
        let scale = 1 / Scalar(positions)
        for r in 0..<(batch * channels) { fill(positions, scale * dy[r], dx + r * positions) }
    }
}
