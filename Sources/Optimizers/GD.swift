import Core

/// Gradient descent, θ_t = θ_{t−1} − η_t ∇F(θ_{t−1}): one full gradient (one epoch) per step.
/// With η = 1/L on a μ-strongly convex L-smooth F it contracts F − F* by (1 − 1/κ) per step.
/// Hyper-parameters: torch.optim.SGD's, with momentum 0.
public enum GD {
    public static let entry = OptimizerEntry(
        name: "gd",
        summary: "full-batch gradient descent θ ← θ − η∇F(θ)",
        parameters: SGD.parameters(momentum: 0, nesterov: false)
    ) { p throws(ConfigurationError) in try SGD.make(p, batchSize: 0) }
}
