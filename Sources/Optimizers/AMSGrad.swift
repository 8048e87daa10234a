import OptBenchCore

extension OptimizerEntry {
    /// AMSGrad (Reddi et al., 2018) in torch's form: `Adam` with `amsgrad=true`,
    ///
    ///     v̂_t = max(v̂_{t−1}, v_t),   θ_t = θ_{t−1} − (η_t / (1 − β₁ᵗ)) · m_t / (√v̂_t / √(1 − β₂ᵗ) + ε)
    ///
    /// so the root of the running maximum of the uncorrected second moment never decreases
    /// (the step size η/√v̂ never grows), unlike Adam's √v_t. torch.optim.Adam(amsgrad=True)'s
    /// names and defaults: `lr` 1e-3, `betas` 0.9,0.999, `eps` 1e-8, `weight_decay` 0.
    public static let amsgrad = OptimizerEntry(
        name: "amsgrad", summary: "AMSGrad: Adam dividing by the running maximum of v (torch.optim.Adam with amsgrad=True)",
        elementwise: AdamRule<Float>.self, AdamRule<Double>.self) { $0.amsgrad = true }
}
