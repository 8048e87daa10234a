import OptBenchCore
import OptBenchKernels
import OptBenchLinearAlgebra

/// How a network's weights start. For a weight W with fan-in n_in and fan-out n_out, and the
/// gain γ of the activation that follows (√2 for ReLU, √(2/(1 + 0.01²)) for leaky ReLU, 5/3
/// for tanh, 1 otherwise, as torch's `calculate_gain`):
/// - `zeros`: W = 0; `gaussian`: W_ij ~ N(0, s²) with s = `scale`;
/// - `lecun`: N(0, 1/n_in); `xavier-normal`: N(0, γ²·2/(n_in + n_out)); `xavier-uniform`:
///   U(−a, a), a = γ√(6/(n_in + n_out)) (Glorot and Bengio, 2010);
/// - `kaiming-fan-in` / `kaiming-fan-out`: N(0, γ²/n) with n = n_in or n_out (He et al., 2015);
/// - `orthogonal`: γ·Q with Q's rows (or columns, for tall W) orthonormal (Saxe et al., 2014);
/// - `lsuv`: orthogonal, then each layer in turn rescaled until its outputs on a data batch have
///   unit variance (Mishkin and Matas, 2016);
/// - `fixup`: for residual nets without normalisation (Zhang et al., 2019): the last layer of
///   each of the L residual branches and the network's last layer are zero, the other m − 1
///   layers of a branch of m are Kaiming (fan-in) scaled by L^{−1/(2m−2)};
/// - `torch`: torch's `nn.Linear`/`nn.Conv2d` default, W and b ~ U(−1/√n_in, 1/√n_in).
/// Biases start at 0 (except `torch`), normalisation scales at 1 and shifts at 0, and a
/// weight-normalised layer's gains at g_r = ‖V_r‖, so that W = V at the start.
public enum WeightInitialization: String, ParameterChoice {
    case zeros, gaussian, lecun
    case xavierNormal = "xavier-normal"
    case xavierUniform = "xavier-uniform"
    case kaimingFanIn = "kaiming-fan-in"
    case kaimingFanOut = "kaiming-fan-out"
    case orthogonal, lsuv, fixup, torch

    /// torch's `calculate_gain` for the activation after a layer.
    public static func gain(_ activation: Activation?) -> Double {
        switch activation {
        case .relu: 2.0.squareRoot()
        case .leakyRelu: (2 / (1 + Activation.leakySlope * Activation.leakySlope)).squareRoot()
        case .tanh: 5.0 / 3
        default: 1
        }
    }
}

extension Network {
    /// w₀ for `scheme` from `seed`: weights drawn tensor by tensor in layout order, biases,
    /// normalisation parameters and gains as the scheme states. `lsuv` also needs `batch`
    /// (inputs of `batchSize` samples, B × input size) and runs forward passes on it.
    @_specialize(exported: true, where Scalar == Float)
    @_specialize(exported: true, where Scalar == Double)
    public func initialParameters(_ scheme: WeightInitialization, scale: Double = 1, activation: Activation?, seed: UInt64,
                                  batch: UnsafePointer<Scalar>? = nil, batchSize: Int = 0) -> [Scalar] {
        var rng = Xoshiro256(seed: seed, stream: 7)
        var w = [Double](repeating: 0, count: dimension)
        for block in layout.blocks where block.role == .normScale { for i in block.range { w[i] = 1 } }
        let gain = WeightInitialization.gain(activation)
        let branches = Set(weights.compactMap(\.branch)).count
        for (index, t) in weights.enumerated() {
            let isLast = index == weights.count - 1
            let values: [Double]
            switch scheme {
            case .zeros: values = Array(repeating: 0, count: t.count)
            case .gaussian: values = (0..<t.count).map { _ in scale * rng.nextGaussian() }
            case .lecun: values = gaussian(t.count, (1 / Double(t.fanIn)).squareRoot(), &rng)
            case .xavierNormal: values = gaussian(t.count, gain * (2 / Double(t.fanIn + t.fanOut)).squareRoot(), &rng)
            case .xavierUniform:
                let a = gain * (6 / Double(t.fanIn + t.fanOut)).squareRoot()
                values = (0..<t.count).map { _ in a * (2 * rng.nextUniform() - 1) }
            case .kaimingFanIn: values = gaussian(t.count, gain / Double(t.fanIn).squareRoot(), &rng)
            case .kaimingFanOut: values = gaussian(t.count, gain / Double(t.fanOut).squareRoot(), &rng)
            case .orthogonal, .lsuv: values = orthogonal(rows: t.rows, columns: t.fanIn, gain: scheme == .lsuv ? 1 : gain, &rng)
            case .fixup:
                if let b = t.branch {
                    if t.positionInBranch == t.branchLength - 1 {
                        values = Array(repeating: 0, count: t.count)
                    } else {
                        let m = Double(t.branchLength)
                        let shrink = Math.pow(Double(max(branches, 1)), -1 / (2 * m - 2))
                        _ = b
                        values = gaussian(t.count, shrink * gain / Double(t.fanIn).squareRoot(), &rng)
                    }
                } else if isLast {
                    values = Array(repeating: 0, count: t.count)
                } else {
                    values = gaussian(t.count, gain / Double(t.fanIn).squareRoot(), &rng)
                }
            case .torch:
                let a = 1 / Double(t.fanIn).squareRoot()
                values = (0..<t.count).map { _ in a * (2 * rng.nextUniform() - 1) }
                if let bias = t.biasOffset { for i in 0..<t.rows { w[bias + i] = a * (2 * rng.nextUniform() - 1) } }
            }
            for i in 0..<t.count { w[t.offset + i] = values[i] }
            if let g = t.gainOffset {
                for r in 0..<t.rows {
                    var s = 0.0
                    for j in 0..<t.fanIn { s += values[r * t.fanIn + j] * values[r * t.fanIn + j] }
                    w[g + r] = s.squareRoot()
                }
            }
        }
        var start = w.map { Scalar($0) }
        if scheme == .lsuv, let batch, batchSize > 0 { layerSequentialUnitVariance(&start, batch, batchSize) }
        return start
    }

    /// LSUV's second phase: for each weight layer in order, up to 10 times, a forward pass on the
    /// batch and W ← W/√Var(layer output), until |Var − 1| < 0.1.
    private func layerSequentialUnitVariance(_ w: inout [Scalar], _ x: UnsafePointer<Scalar>, _ batch: Int) {
        for (index, t) in weights.enumerated() {
            for _ in 0..<10 {
                let outputs = w.withUnsafeBufferPointer { wp in
                    _ = forward(wp.baseAddress!, x, batch: batch, mode: .probing)
                    return weightLayerOutputs
                }
                guard index < outputs.count else { return }
                let (p, size) = outputs[index]
                let n = batch * size
                var s = 0.0, q = 0.0
                for i in 0..<n { s += Double(p[i]) }
                let mean = s / Double(n)
                for i in 0..<n { let d = Double(p[i]) - mean; q += d * d }
                let variance = q / Double(n)
                if abs(variance - 1) < 0.1 || !(variance > 0) { break }
                let factor = Scalar(1 / variance.squareRoot())
                for i in 0..<t.count { w[t.offset + i] *= factor }
                if let g = t.gainOffset { for r in 0..<t.rows { w[g + r] *= factor } }
            }
        }
    }
}

private func gaussian(_ count: Int, _ s: Double, _ rng: inout Xoshiro256) -> [Double] {
    (0..<count).map { _ in s * rng.nextGaussian() }
}

/// gain·Q for a rows × columns Q with orthonormal rows (rows ≤ columns) or columns.
private func orthogonal(rows: Int, columns: Int, gain: Double, _ rng: inout Xoshiro256) -> [Double] {
    if rows <= columns { return orthonormalRows(count: rows, length: columns, rng: &rng).map { gain * $0 } }
    let q = orthonormalRows(count: columns, length: rows, rng: &rng)
    var w = [Double](repeating: 0, count: rows * columns)
    for i in 0..<rows { for j in 0..<columns { w[i * columns + j] = gain * q[j * rows + i] } }
    return w
}
