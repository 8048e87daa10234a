import Core

/// Heavy-ball momentum (Polyak) in torch.optim.SGD's form, b_t = μ b_{t−1} + (1 − τ)g_t,
/// θ_t = θ_{t−1} − η b_t, with b_1 = g_1. Full gradients unless `batch_size` > 0.
public enum Momentum {
    public static let entry = OptimizerEntry(
        name: "momentum",
        summary: "heavy-ball momentum (torch.optim.SGD with momentum), full or mini-batch gradients",
        parameters: SGD.parameters(momentum: 0.9, nesterov: false)
            + [.integer("batch_size", 0, range: 0...1e9, "samples per mini-batch; 0 = full gradient")]
    ) { p throws(ConfigurationError) in try SGD.make(p, batchSize: p.integer("batch_size")) }
}
