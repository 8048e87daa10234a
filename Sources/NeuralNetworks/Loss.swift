import OptBenchCore
import OptBenchKernels

/// The per-sample loss ℓ(z, y) on a network's output z, averaged over a batch:
/// `cross-entropy` ℓ = log Σ_c e^{z_c} − z_y on logits (softmax cross-entropy, torch's
/// `CrossEntropyLoss`), with ∂ℓ/∂z = softmax(z) − e_y; `squared-error` ℓ = ½‖z − y‖², with
/// ∂ℓ/∂z = z − y (for targets, or for one-hot class labels).
public enum Loss: String, ParameterChoice {
    case crossEntropy = "cross-entropy"
    case squaredError = "squared-error"
}

/// What a batch's outputs are compared with: class labels or target vectors.
public enum Targets<Scalar: KernelScalar> {
    case labels(UnsafePointer<Int32>)
    case values(UnsafePointer<Scalar>)
}

extension Loss {
    /// Σ_b ℓ(z_b, y_b) over the batch, the number of samples whose arg-max output is their
    /// label (classification), and, when `gradient` is given, scale·∂ℓ/∂z_b in its rows.
    @inlinable
    public func evaluate<T: KernelScalar>(
        _ z: UnsafePointer<T>, _ targets: Targets<T>, batch: Int, outputs: Int, scale: T,
        gradient: UnsafeMutablePointer<T>?
    ) -> (sum: Double, correct: Int) {
        var total = 0.0
        var correct = 0
        for b in 0..<batch {
            let row = z + b * outputs
            var best = 0
            for c in 1..<max(outputs, 1) where row[c] > row[best] { best = c }
            switch (self, targets) {
            case (.crossEntropy, .labels(let labels)):
                let y = Int(labels[b])
                let top = row[best]
                var s = 0.0
                if let gradient {
                    // e^{z_c − max} once, kept in the gradient row until it is normalised.
                    let g = gradient + b * outputs
                    for c in 0..<outputs { g[c] = Math.exp(row[c] - top); s += Double(g[c]) }
                    let inv = 1 / s
                    for c in 0..<outputs { g[c] = scale * T(Double(g[c]) * inv) }
                    g[y] -= scale
                } else {
                    for c in 0..<outputs { s += Double(Math.exp(row[c] - top)) }
                }
                total += Math.log(s) + Double(top) - Double(row[y])
                if best == y { correct += 1 }
            case (.crossEntropy, .values(let t)):
                // Soft targets: ℓ = log Σ e^{z_c} − Σ_c t_c z_c for a distribution t.
                let top = row[best]
                var s = 0.0
                for c in 0..<outputs { s += Double(Math.exp(row[c] - top)) }
                let lse = Math.log(s) + Double(top)
                var tsum = 0.0, tz = 0.0
                for c in 0..<outputs { tsum += Double(t[b * outputs + c]); tz += Double(t[b * outputs + c]) * Double(row[c]) }
                total += tsum * lse - tz
                if let gradient {
                    let g = gradient + b * outputs
                    for c in 0..<outputs { g[c] = scale * T(tsum * Double(Math.exp(row[c] - top)) / s - Double(t[b * outputs + c])) }
                }
            case (.squaredError, .labels(let labels)):
                let y = Int(labels[b])
                if best == y { correct += 1 }
                var q = 0.0
                for c in 0..<outputs {
                    let d = Double(row[c]) - (c == y ? 1 : 0)
                    q += d * d
                    if let gradient { gradient[b * outputs + c] = scale * T(d) }
                }
                total += q / 2
            case (.squaredError, .values(let t)):
                var q = 0.0
                for c in 0..<outputs {
                    let d = row[c] - t[b * outputs + c]
                    q += Double(d) * Double(d)
                    if let gradient { gradient[b * outputs + c] = scale * d }
                }
                total += q / 2
            }
        }
        return (total, correct)
    }
}
