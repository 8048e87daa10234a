/// A network architecture as a value: the layers in order, each sized by the shape flowing
/// into it (a vector [F] or an image [C, H, W]). Problems describe their networks with it and
/// build a `Sequential` per run.
public indirect enum LayerSpec: Sendable, Equatable {
    /// s = W x + b with W of `outputs` rows; `weightNorm` reparametrises W_r = g_r V_r/‖V_r‖.
    case dense(outputs: Int, bias: Bool = true, weightNorm: Bool = false)
    /// A k×k convolution to `channels` output channels with stride s and zero padding p on
    /// [C, H, W] inputs, W stored [C′, C, k, k] (torch's `nn.Conv2d` and its defaults).
    case conv2d(channels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true)
    /// The mean over the positions of each channel, [C, H, W] → [C].
    case globalAveragePool
    /// a = φ(s).
    case activation(Activation)
    /// BatchNorm over the batch (per feature of a vector, per channel of an image).
    case batchNorm
    /// LayerNorm over each sample's features.
    case layerNorm
    /// y = φ(body(x) + shortcut(x)); a nil shortcut is the identity.
    case residual(body: [LayerSpec], shortcut: [LayerSpec]?, activation: Activation?)
}
