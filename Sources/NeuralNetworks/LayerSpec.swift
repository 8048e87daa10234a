/// A network architecture as a value: the layers in order, each sized by the shape flowing
/// into it (a vector [F] or an image [C, H, W]). Problems describe their networks with it and
/// build a `Sequential` per run.
public indirect enum LayerSpec: Sendable, Equatable {
    /// s = W x + b with W of `outputs` rows; `weightNorm` reparametrises W_r = g_r V_r/‖V_r‖.
    case dense(outputs: Int, bias: Bool = true, weightNorm: Bool = false)
    /// a = φ(s).
    case activation(Activation)
    /// BatchNorm over the batch (per feature of a vector, per channel of an image).
    case batchNorm
    /// LayerNorm over each sample's features.
    case layerNorm
    /// y = φ(body(x) + shortcut(x)); a nil shortcut is the identity.
    case residual(body: [LayerSpec], shortcut: [LayerSpec]?, activation: Activation?)
}
