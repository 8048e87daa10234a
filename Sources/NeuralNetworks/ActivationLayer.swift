import OptBenchKernels

/// a = φ(s) elementwise as a layer (`Activation` states φ and φ′).
final class ActivationLayer<Scalar: KernelScalar>: Layer {
    let function: Activation
    let inputShape: [Int]
    var outputShape: [Int] { inputShape }

    init(_ function: Activation, shape: [Int]) {
        self.function = function
        inputShape = shape
    }

    func reserve(batch: Int) {}

    func forward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int, mode: NetworkMode) {
        forEachElementwiseRange(batch * inputSize, parallelFrom: activationParallelLength) { lo, hi in function.forward(hi - lo, x + lo, y + lo) }
    }

    func backward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafePointer<Scalar>, _ dy: UnsafePointer<Scalar>,
                  _ dx: UnsafeMutablePointer<Scalar>?, _ dw: UnsafeMutablePointer<Scalar>, batch: Int, mode: NetworkMode) {
        guard let dx else { return }
        forEachElementwiseRange(batch * inputSize, parallelFrom: activationParallelLength) { lo, hi in function.backward(hi - lo, x + lo, y + lo, dy + lo, dx + lo) }
    }
}
