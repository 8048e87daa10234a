import OptBenchKernels

/// Gradient clipping as torch's `clip_grad_value_` and `clip_grad_norm_`: first each entry
/// clamped to [−c, c], then g ← g·min(1, τ/(‖g‖₂ + 10⁻⁶)). Either bound may be absent.
public struct GradientClipping: Sendable, Equatable {
    public var value: Double?
    public var norm: Double?

    public init(value: Double? = nil, norm: Double? = nil) {
        self.value = value
        self.norm = norm
    }

    public var isActive: Bool { value != nil || norm != nil }

    public func apply<T: KernelScalar>(_ g: UnsafeMutableBufferPointer<T>) {
        if let value {
            let c = T(value)
            for i in g.indices { g[i] = min(max(g[i], -c), c) }
        }
        if let norm, let base = g.baseAddress {
            let coefficient = norm / (Double(nrm2(g.count, base)) + 1e-6)
            if coefficient < 1 { scal(g.count, T(coefficient), base) }
        }
    }
}
