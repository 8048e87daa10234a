import OptBenchKernels

/// A residual block y = φ(F(x) + S(x)), the survey's eq. (19) z ← φ(F(W, z) + z) when the
/// shortcut S is the identity: F is the body (for the fully-connected form W₁·φ(W₂·z); for
/// convolutional nets conv–BN–ReLU–conv–BN) and S the identity or a projection (a strided 1×1
/// convolution with BatchNorm, when the shape changes). φ is optional.
/// Backward: with u = F(x) + S(x) and g = ∂f/∂y ⊙ φ′(u), ∂f/∂x = F′(x)ᵀg + S′(x)ᵀg.
final class Residual<Scalar: KernelScalar>: Layer {
    let body: Sequential<Scalar>
    let shortcut: Sequential<Scalar>?
    let activation: Activation?
    var inputShape: [Int] { body.inputShape }
    var outputShape: [Int] { body.outputShape }
    private let sum = Scratch<Scalar>()
    private let shortcutGradient = Scratch<Scalar>()

    init(body: Sequential<Scalar>, shortcut: Sequential<Scalar>?, activation: Activation?) {
        precondition(shortcut == nil ? body.inputShape == body.outputShape : shortcut!.outputShape == body.outputShape,
                     "a residual body must keep its shape unless a projection shortcut maps it")
        self.body = body
        self.shortcut = shortcut
        self.activation = activation
    }

    func reserve(batch: Int) {
        body.reserve(batch: batch)
        shortcut?.reserve(batch: batch)
        if keepsSum { sum.reserve(batch * outputSize) }
        shortcutGradient.reserve(batch * inputSize)
    }

    /// Values of the body's, the shortcut's and this block's buffers for `batch` samples.
    func scratchValues(batch: Int) -> Int {
        body.scratchValues(batch: batch) + (shortcut?.scratchValues(batch: batch) ?? 0)
            + (keepsSum ? batch * outputSize : 0) + batch * inputSize
    }

    func forward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int, mode: NetworkMode) {
        let n = batch * outputSize
        let f = body.forward(w, x, batch: batch, mode: mode)
        let s = shortcut.map { $0.forward(w, x, batch: batch, mode: mode) } ?? x
        let u = keepsSum ? sum.pointer : y
        forEachElementwiseRange(n, parallelFrom: activationParallelLength) { lo, hi in
            for i in lo..<hi { u[i] = f[i] + s[i] }
            if let activation { activation.forward(hi - lo, UnsafePointer(u + lo), y + lo) }
        }
    }

    /// Whether backward needs u = F(x) + S(x) kept apart from y = φ(u): not without φ (y is u)
    /// nor for ReLU, whose φ′(u) = 1[u > 0] = 1[y > 0] reads y.
    private var keepsSum: Bool { activation != nil && activation != .relu }

    func backward(_ w: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafePointer<Scalar>, _ dy: UnsafePointer<Scalar>,
                  _ dx: UnsafeMutablePointer<Scalar>?, _ dw: UnsafeMutablePointer<Scalar>, batch: Int, mode: NetworkMode) {
        let n = batch * outputSize
        // g = ∂f/∂u goes straight into the body's output-gradient buffer, which the body's
        // backward pass reads and leaves as it is.
        if let activation {
            let u = keepsSum ? UnsafePointer(sum.pointer) : y, g = body.outputGradient
            forEachElementwiseRange(n, parallelFrom: activationParallelLength) { lo, hi in activation.backward(hi - lo, u + lo, y + lo, dy + lo, g + lo) }
        } else {
            body.outputGradient.update(from: dy, count: n)
        }
        let g = UnsafePointer(body.outputGradient)
        body.backward(w, x, dx: dx, dw, batch: batch, mode: mode)
        if let shortcut {
            shortcut.outputGradient.update(from: g, count: n)
            shortcut.backward(w, x, dx: dx == nil ? nil : shortcutGradient.pointer, dw, batch: batch, mode: mode)
            if let dx { axpy(batch * inputSize, 1, shortcutGradient.pointer, dx) }
        } else if let dx {
            axpy(n, 1, g, dx)
        }
    }
}
