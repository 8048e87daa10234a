import Kernels

/// Partial derivatives ∂F/∂w_j, each in about 1/d of a full gradient's work — the promise the
/// oracle's charge of 1/d epoch per partial rests on. A problem whose partial costs a whole
/// gradient offers no coordinate view.
public struct CoordinateView<Scalar: KernelScalar> {
    /// ∂F(w)/∂w_j.
    public let partial: (UnsafeBufferPointer<Scalar>, Int) -> Scalar
    /// L_j = sup ∂²F/∂w_j², the Lipschitz constant of ∂F/∂w_j along w_j, for every j, when the
    /// problem knows them (least squares: ‖X_{:j}‖²/n); constants, not evaluations.
    public let lipschitzConstants: [Double]?

    public init(partial: @escaping (UnsafeBufferPointer<Scalar>, Int) -> Scalar, lipschitzConstants: [Double]? = nil) {
        self.partial = partial
        self.lipschitzConstants = lipschitzConstants
    }
}
