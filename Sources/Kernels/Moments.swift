// The pieces every adaptive rule shares (optax's `update_moment` and `bias_correction`),
// written once on full SIMD vectors and used inside each rule's fused pass (`MomentBuffers`).

/// An exponential moving average with decay β, started at 0:
///
///     a ← β a + (1 − β) x          (`callAsFunction`: Adam's m, centred RMSProp's ḡ)
///     a ← β a + (1 − β) x ∘ x      (`squares`: Adam's v, RMSProp's and AdaDelta's averages)
///
/// torch.optim's `exp_avg.lerp_(g, 1 − β)` and `exp_avg_sq.mul_(β).addcmul_(g, g, value=1 − β)`
/// are the same averages, rounded in a different order.
public struct MovingAverage<T: KernelScalar>: Sendable {
    /// β.
    public let decay: T
    /// 1 − β, rounded once in float64 (as torch's Python scalar) before conversion to `T`.
    public let weight: T

    @inlinable
    public init(decay: Double) {
        self.decay = T(decay)
        weight = T(1 - decay)
    }

    /// β a + (1 − β) x, lane-wise. - Complexity: O(1).
    @inlinable @inline(__always)
    public func callAsFunction(_ a: T.Vector, _ x: T.Vector) -> T.Vector {
        (decay * a).addingProduct(weight, x)
    }

    /// β a + (1 − β) x², lane-wise. - Complexity: O(1).
    @inlinable @inline(__always)
    public func squares(_ a: T.Vector, _ x: T.Vector) -> T.Vector {
        (decay * a).addingProduct(weight * x, x)
    }
}

/// The bias correction of a moving average with decay β after t steps (Kingma & Ba, 2015, §3):
/// started at 0, an average of draws with mean E[x] has mean (1 − βᵗ)·E[x], so
/// â = a / (1 − βᵗ) is unbiased.
public struct BiasCorrection: Sendable {
    /// 1 − βᵗ, as torch computes it (`1 - beta ** step` in float64).
    public let factor: Double

    /// The correction after step t = 1, 2, … of an average with decay β.
    @inlinable
    public init(decay: Double, step: Int) {
        factor = 1 - Math.pow(decay, Double(step))
    }

    /// 1 / (1 − βᵗ), the factor that corrects the average.
    @inlinable public var inverse: Double { 1 / factor }

    /// 1 / √(1 − βᵗ), the factor that corrects the root of an average of squares.
    @inlinable public var inverseSquareRoot: Double { 1 / factor.squareRoot() }
}

extension KernelScalar {
    /// max(a, b) lane-wise for non-negative a and b (AMSGrad's running maximum of v), with NaN
    /// propagated: on non-negative floats the maximum magnitude is the maximum.
    /// - Complexity: O(1).
    @inlinable @inline(__always)
    public static func maximumOfNonNegative(_ a: Vector, _ b: Vector) -> Vector {
        maxMagnitude(a, b)
    }
}
