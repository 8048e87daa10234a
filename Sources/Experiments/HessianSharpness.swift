import OptBenchCore
import OptBenchLinearAlgebra

/// The sharpness λmax(∇²F(w)) of an objective, by Lanczos (`Lanczos.extremeEigenvalues`) on
/// Hessian-vector products taken as central differences of gradients:
///
///     ∇²F(w)v ≈ (∇F(w + hv) − ∇F(w − hv)) / (2h),   ‖v‖ = 1,
///
/// exact for a quadratic and with error O(h²·‖∇³F‖) otherwise, plus a rounding error of about
/// ε_mach·‖∇F‖/h; h = `step` (10⁻⁴ by default, in float64, where the two are balanced). The
/// problems offer no exact Hessian-vector product, so this is the one way in; each product
/// costs two full gradients.
enum HessianSharpness {
    /// The finite-difference product ∇²F(w)v into `out` (v of any norm: the step is h/‖v‖).
    static func product(_ objective: AnyObjective<Double>, at w: [Double], _ v: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>,
                        step h: Double = 1e-4) {
        let d = w.count
        var norm = 0.0
        for i in 0..<d { norm += v[i] * v[i] }
        norm = norm.squareRoot()
        guard norm > 0 else { for i in 0..<d { out[i] = 0 }; return }
        let t = h / norm
        var plus = w, minus = w
        for i in 0..<d { plus[i] += t * v[i]; minus[i] -= t * v[i] }
        let gPlus = objective.lossAndGradient(plus).1, gMinus = objective.lossAndGradient(minus).1
        for i in 0..<d { out[i] = (gPlus[i] - gMinus[i]) / (2 * t) }
    }

    /// λmax from at most `steps` Lanczos steps (each one product) from a seeded start.
    static func largest(_ objective: AnyObjective<Double>, at w: [Double], steps: Int = 20, seed: UInt64 = 0) -> Double {
        Lanczos.extremeEigenvalues(dimension: w.count, maxSteps: steps, tolerance: 1e-4, seed: seed) { v, out in
            product(objective, at: w, v, into: out)
        }.largest
    }
}
