import Kernels

/// The structure of a linear model, fᵢ(w) = φᵢ(xᵢᵀw) + (λ/2)‖w‖², so that
/// ∇fᵢ(w) = φᵢ′(xᵢᵀw)·xᵢ + λw: variance-reduced methods store one scalar per sample instead of a
/// d-vector, and prefetch the rows they will read.
///
/// Evaluating φᵢ′(xᵢᵀw) costs one sample gradient (1/n epoch through the oracle); reading xᵢ is
/// data, not an evaluation, and is free.
public struct LinearModelView<Scalar: KernelScalar> {
    /// φᵢ′(xᵢᵀw) for sample i.
    public let derivative: (UnsafeBufferPointer<Scalar>, Int) -> Scalar
    /// xᵢ, valid for the objective's lifetime.
    public let features: (Int) -> UnsafeBufferPointer<Scalar>
    /// λ (0 when unregularised).
    public let l2Penalty: Scalar

    public init(derivative: @escaping (UnsafeBufferPointer<Scalar>, Int) -> Scalar,
                features: @escaping (Int) -> UnsafeBufferPointer<Scalar>, l2Penalty: Scalar) {
        self.derivative = derivative
        self.features = features
        self.l2Penalty = l2Penalty
    }
}
