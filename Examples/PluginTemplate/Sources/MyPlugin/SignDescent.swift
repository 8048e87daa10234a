import OptBenchCore
import OptBenchKernels
import OptBenchOptimizers

/// Sign descent with momentum (signSGD / Signum, Bernstein et al. 2018):
///
///     m_t = β m_{t−1} + (1 − β) g_t,   m_0 = 0
///     θ_t = θ_{t−1} − η_t sign(m_t)
///
/// with g_t = ∇f_{B_t}(θ_{t−1}), η_t = lr·s(t) and sign(0) = 0; β = 0 is plain signSGD. Every
/// coordinate moves by the same η_t whatever the gradient's scale.
public struct SignDescentRule<Scalar: KernelScalar>: ElementwiseRule {
    @HyperParameter("lr", range: 0...1e6, "step size η₀")
    public var lr = 1e-3
    @HyperParameter("momentum", range: 0...0.999999, "β of the gradient average whose sign is taken (0: signSGD)")
    public var momentum = 0.9

    public init() {}

    public func makeState(count: Int) -> [Scalar] { [Scalar](repeating: 0, count: count) }

    public func update(_ w: UnsafeMutableBufferPointer<Scalar>, gradient g: UnsafeMutableBufferPointer<Scalar>,
                       state m: inout [Scalar], context: StepContext) {
        let beta = Scalar(momentum), eta = Scalar(lr * context.scale)
        m.withUnsafeMutableBufferPointer { m in
            for i in w.indices {
                m[i] = beta * m[i] + (1 - beta) * g[i]
                w[i] -= m[i] > 0 ? eta : m[i] < 0 ? -eta : 0
            }
        }
    }
}

extension OptimizerEntry {
    public static let signDescent = OptimizerEntry(
        name: "sign-descent", summary: "sign descent with momentum (Signum): θ ← θ − η·sign(m)",
        elementwise: SignDescentRule<Float>.self, SignDescentRule<Double>.self)
}
