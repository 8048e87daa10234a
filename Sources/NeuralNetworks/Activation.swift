import OptBenchCore
import OptBenchKernels

/// An elementwise nonlinearity φ, applied to a layer's pre-activations s: a = φ(s).
///
/// `relu` φ(s) = max(s, 0); `leaky-relu` φ(s) = s for s > 0 and 0.01·s otherwise (torch's
/// default slope); `tanh`; `sigmoid` σ(s) = 1/(1 + e^{−s}); `swish` φ(s) = s·σ(s) (SiLU).
/// The backward pass multiplies the output gradient by φ′(s): 1[s > 0], 1 or 0.01, 1 − a²,
/// a(1 − a) and σ(s)(1 + s(1 − σ(s))) respectively.
public enum Activation: String, ParameterChoice {
    case relu
    case leakyRelu = "leaky-relu"
    case tanh
    case sigmoid
    case swish

    /// The slope of `leaky-relu` for s ≤ 0.
    public static let leakySlope = 0.01

    /// a = φ(s) for `count` entries.
    @inlinable
    public func forward<T: KernelScalar>(_ count: Int, _ s: UnsafePointer<T>, _ a: UnsafeMutablePointer<T>) {
        switch self {
        case .relu:
            let lanes = T.lanes
            var i = 0
            while i + lanes <= count {
                let v = UnsafeRawPointer(s + i).loadUnaligned(as: T.Vector.self)
                UnsafeMutableRawPointer(a + i).storeBytes(of: T.positivePart(v), as: T.Vector.self)
                i += lanes
            }
            while i < count { a[i] = s[i] > 0 ? s[i] : 0; i += 1 }
        case .leakyRelu:
            let slope = T(Activation.leakySlope)
            for i in 0..<count { a[i] = s[i] > 0 ? s[i] : slope * s[i] }
        case .tanh:
            for i in 0..<count { a[i] = Math.tanh(s[i]) }
        case .sigmoid:
            for i in 0..<count { a[i] = logistic(s[i]) }
        case .swish:
            for i in 0..<count { a[i] = s[i] * logistic(s[i]) }
        }
    }

    /// ds = da ⊙ φ′(s), given s and a = φ(s).
    @inlinable
    public func backward<T: KernelScalar>(
        _ count: Int, _ s: UnsafePointer<T>, _ a: UnsafePointer<T>, _ da: UnsafePointer<T>, _ ds: UnsafeMutablePointer<T>
    ) {
        switch self {
        case .relu:
            let lanes = T.lanes
            var i = 0
            while i + lanes <= count {
                let v = UnsafeRawPointer(s + i).loadUnaligned(as: T.Vector.self)
                let g = UnsafeRawPointer(da + i).loadUnaligned(as: T.Vector.self)
                UnsafeMutableRawPointer(ds + i).storeBytes(of: T.maskedByPositive(g, v), as: T.Vector.self)
                i += lanes
            }
            while i < count { ds[i] = s[i] > 0 ? da[i] : 0; i += 1 }
        case .leakyRelu:
            let slope = T(Activation.leakySlope)
            for i in 0..<count { ds[i] = s[i] > 0 ? da[i] : slope * da[i] }
        case .tanh:
            for i in 0..<count { ds[i] = da[i] * (1 - a[i] * a[i]) }
        case .sigmoid:
            for i in 0..<count { ds[i] = da[i] * a[i] * (1 - a[i]) }
        case .swish:
            for i in 0..<count {
                let g = logistic(s[i])
                ds[i] = da[i] * g * (1 + s[i] * (1 - g))
            }
        }
    }
}

/// σ(x) = 1/(1 + e^{−x}), evaluated without overflow for either sign.
@inlinable
func logistic<T: KernelScalar>(_ x: T) -> T {
    if x >= 0 { return 1 / (1 + Math.exp(-x)) }
    let e = Math.exp(x)
    return e / (1 + e)
}
