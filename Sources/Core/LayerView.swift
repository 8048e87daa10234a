import OptBenchKernels

/// The layer structure of a network trained on mini-batches: for layer ℓ with weights W_ℓ
/// (a block of the layout), the inputs a_ℓ of the last mini-batch evaluated and the gradients
/// g_ℓ = ∂f/∂s_ℓ with respect to its pre-activations s_ℓ = W_ℓ a_ℓ, so that
/// ∇_{W_ℓ} f_B = (1/|B|) Σ_b g_{ℓ,b} a_{ℓ,b}ᵀ. K-FAC builds its Kronecker factors
/// A_ℓ = E[a aᵀ] and G_ℓ = E[g gᵀ] from them.
///
/// Reading them is free: they were computed by the mini-batch gradient that was charged.
public struct LayerView<Scalar: KernelScalar> {
    /// One dense layer: its weight block in the layout, and the sizes of a_ℓ and g_ℓ.
    public struct Layer: Sendable, Equatable {
        public let weightBlock: Int
        public let biasBlock: Int?
        public let inputs: Int
        public let outputs: Int
        public init(weightBlock: Int, biasBlock: Int?, inputs: Int, outputs: Int) {
            self.weightBlock = weightBlock
            self.biasBlock = biasBlock
            self.inputs = inputs
            self.outputs = outputs
        }
    }

    public let layers: [Layer]
    /// (a_ℓ, g_ℓ) of the last mini-batch for layer ℓ: row-major batch×inputs and batch×outputs
    /// buffers, and the batch size.
    public let activations: (Int) -> (inputs: UnsafeBufferPointer<Scalar>, outputGradients: UnsafeBufferPointer<Scalar>, batch: Int)

    public init(layers: [Layer],
                activations: @escaping (Int) -> (inputs: UnsafeBufferPointer<Scalar>, outputGradients: UnsafeBufferPointer<Scalar>, batch: Int)) {
        self.layers = layers
        self.activations = activations
    }
}
