import OptBenchCore

extension OptimizerEntry {
    /// Gradient descent, θ_t = θ_{t−1} − η_t ∇F(θ_{t−1}): one full gradient (one epoch) per step.
    /// With η = 1/L on a μ-strongly convex L-smooth F it contracts F − F* by (1 − 1/κ) per step.
    /// Hyper-parameters: torch.optim.SGD's (`SGD` on full gradients).
    public static let gd = OptimizerEntry(
        name: "gd", summary: "full-batch gradient descent θ ← θ − η∇F(θ)",
        elementwise: SGDRule<Float>.self, SGDRule<Double>.self, batchSize: nil)
}
