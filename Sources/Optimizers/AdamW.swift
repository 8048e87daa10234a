import OptBenchCore

extension OptimizerEntry {
    /// AdamW (Loshchilov & Hutter, 2019) in torch's form: `Adam` with the weight decay decoupled
    /// from the moments,
    ///
    ///     θ_t = (1 − η_t λ) θ_{t−1} − (η_t / (1 − β₁ᵗ)) · m_t / (√v̂_t / √(1 − β₂ᵗ) + ε)
    ///
    /// where m_t and v_t average the plain gradient ∇f_{B_t}(θ_{t−1}). torch.optim.AdamW's names
    /// and defaults: `lr` 1e-3, `betas` 0.9,0.999, `eps` 1e-8, `weight_decay` 0.01, `amsgrad`
    /// false; `decoupled_weight_decay` is true (false gives Adam's L2 penalty).
    public static let adamw = OptimizerEntry(
        name: "adamw", summary: "AdamW: Adam with decoupled weight decay θ ← (1 − ηλ)θ (torch.optim.AdamW)",
        elementwise: AdamRule<Float>.self, AdamRule<Double>.self) {
            $0.decoupledWeightDecay = true
            $0.weightDecay = 0.01
        }
}
