import OptBenchCore

extension OptimizerEntry {
    /// Nesterov's accelerated gradient in torch.optim.SGD's form (`SGD`; Sutskever et al., 2013):
    /// b_t = μ b_{t−1} + g_t, θ_t = θ_{t−1} − η(g_t + μ b_t), with b_1 = g_1.
    /// With η = 1/L and μ = (√κ − 1)/(√κ + 1) it needs O(√κ log 1/ε) gradients.
    /// Full gradients unless `batch_size` > 0.
    public static let nesterov = OptimizerEntry(
        name: "nesterov", summary: "Nesterov momentum (torch.optim.SGD with nesterov=True), full or mini-batch gradients",
        elementwise: SGDRule<Float>.self, SGDRule<Double>.self) {
            $0.momentum = 0.9
            $0.nesterov = true
        }
}
