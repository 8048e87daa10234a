import OptBenchCore

extension OptimizerEntry {
    /// Heavy-ball momentum (Polyak) in torch.optim.SGD's form (`SGD`), b_t = μ b_{t−1} + (1 − τ)g_t,
    /// θ_t = θ_{t−1} − η b_t, with b_1 = g_1. Full gradients unless `batch_size` > 0.
    public static let momentum = OptimizerEntry(
        name: "momentum", summary: "heavy-ball momentum (torch.optim.SGD with momentum), full or mini-batch gradients",
        elementwise: SGDRule<Float>.self, SGDRule<Double>.self) { $0.momentum = 0.9 }
}
