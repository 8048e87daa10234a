import OptBenchCore

extension OptimizerEntry {
    /// Gradient descent, θ_t = θ_{t−1} − η_t ∇F(θ_{t−1}): one full gradient (one epoch) per step.
    /// With η = 1/L on a μ-strongly convex L-smooth F it contracts F − F* by (1 − 1/κ) per step.
    /// Hyper-parameters: torch.optim.SGD's (`SGD` with `batch_size` 0), with momentum 0.
    public static let gd = OptimizerEntry(
        name: "gd",
        summary: "full-batch gradient descent θ ← θ − η∇F(θ)",
        parameters: torchSGDParameters(momentum: 0, nesterov: false),
        float: { p, groups throws(ConfigurationError) in try SGD<Float>(p, groups: groups, batchSize: 0) },
        double: { p, groups throws(ConfigurationError) in try SGD<Double>(p, groups: groups, batchSize: 0) })
}
