// Fused element-wise updates shared by the stochastic optimizers: one pass over memory
// instead of one per BLAS call.

/// Adam's moment estimates, in one pass:
///
///     m ← β₁ m + (1 − β₁) g
///     v ← β₂ v + (1 − β₂) g ∘ g
///
/// On all cores from n = 2²⁰ on (each entry is computed alike whatever the split).
/// - Complexity: O(n).
@inlinable
public func updateMoments<T: KernelScalar>(
    _ n: Int, _ beta1: T, _ beta2: T, _ g: UnsafePointer<T>,
    _ m: UnsafeMutablePointer<T>, _ v: UnsafeMutablePointer<T>
) {
    if n < streamingLength { return updateMomentsSerial(n, beta1, beta2, g, m, v) }
    forEachRange(n) { lo, hi in updateMomentsSerial(hi - lo, beta1, beta2, g + lo, m + lo, v + lo) }
}

@inlinable
func updateMomentsSerial<T: KernelScalar>(
    _ n: Int, _ beta1: T, _ beta2: T, _ g: UnsafePointer<T>,
    _ m: UnsafeMutablePointer<T>, _ v: UnsafeMutablePointer<T>
) {
    let w = T.lanes
    let c1 = 1 - beta1, c2 = 1 - beta2
    var i = 0
    while i + w <= n {
        let gi = g.vector(at: i)
        m.store((beta1 * m.vector(at: i)).addingProduct(c1, gi), at: i)
        v.store((beta2 * v.vector(at: i)).addingProduct(c2 * gi, gi), at: i)
        i += w
    }
    while i < n {
        let gi = g[i]
        m[i] = (beta1 * m[i]).addingProduct(c1, gi)
        v[i] = (beta2 * v[i]).addingProduct(c2 * gi, gi)
        i += 1
    }
}

/// The heavy-ball momentum buffer of SGD with momentum (PyTorch's convention):
///
///     b ← μ b + (1 − dampening) g
///
/// - Complexity: O(n).
@inlinable
public func momentumUpdate<T: KernelScalar>(
    _ n: Int, _ mu: T, _ dampening: T, _ g: UnsafePointer<T>, _ b: UnsafeMutablePointer<T>
) {
    axpby(n, 1 - dampening, g, mu, b)
}
