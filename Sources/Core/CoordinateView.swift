import OptBenchKernels

/// Partial derivatives ∂F/∂w_j, each in about 1/d of a full gradient's work — the promise the
/// oracle's charge of 1/d epoch per partial rests on. A problem whose partial costs a whole
/// gradient offers no coordinate view.
public final class CoordinateView<Scalar: KernelScalar> {
    let evaluate: (UnsafeBufferPointer<Scalar>, Int) -> Scalar
    /// Where the charges go: nil on the problem's own view, the oracle's ledger on its view.
    let ledger: ChargeLedger?
    /// L_j = sup ∂²F/∂w_j², the Lipschitz constant of ∂F/∂w_j along w_j, for every j, when the
    /// problem knows them (least squares: ‖X_{:j}‖²/n); constants, not evaluations.
    public let lipschitzConstants: [Double]?

    public init(partial: @escaping (UnsafeBufferPointer<Scalar>, Int) -> Scalar, lipschitzConstants: [Double]? = nil) {
        evaluate = partial
        self.lipschitzConstants = lipschitzConstants
        ledger = nil
    }

    /// `view`, charging 1/d epoch to `ledger` per partial.
    init(charging view: CoordinateView<Scalar>, to ledger: ChargeLedger) {
        evaluate = view.evaluate
        lipschitzConstants = view.lipschitzConstants
        self.ledger = ledger
    }

    /// ∂F(w)/∂w_j.
    @inline(__always)
    public func partial(_ w: UnsafeBufferPointer<Scalar>, _ j: Int) -> Scalar {
        ledger?.chargeCoordinate()
        return evaluate(w, j)
    }
}
