import OptBenchCore
import OptBenchKernels

/// Where a line search stopped: the step t, φ(t) = F(w₀ + t·p), φ′(t) = ∇F(w₀ + t·p)ᵀp,
/// the number of evaluations, and whether both strong-Wolfe conditions hold at t.
struct LineSearchResult {
    var step: Double
    var loss: Double
    var slope: Double
    var evaluations: Int
    var satisfied: Bool
}

/// Strong-Wolfe line search, Nocedal & Wright, *Numerical Optimization* (2006), Algorithms 3.5
/// (bracketing) and 3.6 (zoom), with cubic interpolation (their eq. 3.59) as in torch.optim's
/// `_strong_wolfe`. Finds t with
///
///     φ(t) ≤ φ(0) + c₁ t φ′(0)      (sufficient decrease)
///     |φ′(t)| ≤ c₂ |φ′(0)|          (curvature)
///
/// Each trial is one loss-and-gradient evaluation through the oracle (one epoch). On return `w`
/// holds w₀ + t·p and `gradient` ∇F there. If `maxEvaluations` trials or a bracket narrower than
/// `toleranceChange` (in units of max|p|) end the search first, the best point found is returned
/// (`satisfied` false), possibly t = 0. `low` is scratch for the gradient at the bracket's best end.
func strongWolfeSearch<Scalar: KernelScalar>(
    oracle: GradientOracle<Scalar>, origin w0: UnsafeBufferPointer<Scalar>, direction p: UnsafeBufferPointer<Scalar>,
    loss f0: Double, gradient0 g0: UnsafeBufferPointer<Scalar>, initialStep: Double,
    point w: UnsafeMutableBufferPointer<Scalar>, gradient g: UnsafeMutableBufferPointer<Scalar>,
    low gLow: UnsafeMutableBufferPointer<Scalar>,
    c1: Double = 1e-4, c2: Double = 0.9, maxEvaluations: Int = 25, toleranceChange: Double = 1e-9
) -> LineSearchResult {
    let d = w.count
    // Steps, losses and slopes are Double in both precisions; only the vectors are Scalar.
    let d0 = Double(dot(d, g0.baseAddress!, p.baseAddress!))
    var evaluations = 0
    func moveTo(_ t: Double) {
        let ts = Scalar(t)
        for j in 0..<d { w[j] = w0[j] + ts * p[j] }
    }
    func evaluate(_ t: Double) -> (Double, Double) {
        moveTo(t)
        let f = oracle.lossAndGradient(at: UnsafeBufferPointer(w), into: g)
        evaluations += 1
        return (f, Double(dot(d, g.baseAddress!, p.baseAddress!)))
    }
    func armijo(_ t: Double, _ f: Double) -> Bool { f <= f0 + c1 * t * d0 }
    func curvature(_ slope: Double) -> Bool { abs(slope) <= -c2 * d0 }
    var pMax = 0.0
    for j in 0..<d { pMax = max(pMax, Double(abs(p[j]))) }

    // (t, φ, φ′) at the previous trial; its gradient is kept in gLow, as it may become α_lo.
    var prev = (t: 0.0, f: f0, s: d0)
    _ = gLow.update(fromContentsOf: g0)
    var t = initialStep
    var lo = prev, hi = prev
    var bracketed = false
    // Algorithm 3.5: grow t until the minimiser is bracketed or t is acceptable.
    while evaluations < maxEvaluations {
        let (f, s) = evaluate(t)
        if !armijo(t, f) || (evaluations > 1 && f >= prev.f) {
            lo = prev; hi = (t, f, s); bracketed = true
            break
        }
        if curvature(s) { return LineSearchResult(step: t, loss: f, slope: s, evaluations: evaluations, satisfied: true) }
        if s >= 0 {
            hi = prev; lo = (t, f, s); bracketed = true
            _ = gLow.update(fromContentsOf: g)
            break
        }
        if evaluations == maxEvaluations {
            return LineSearchResult(step: t, loss: f, slope: s, evaluations: evaluations, satisfied: false)
        }
        // Extrapolate by the cubic through both points, at least 1 % beyond t, at most 10·t.
        let next = cubicMinimizer(prev.t, prev.f, prev.s, t, f, s, bounds: (t + 0.01 * (t - prev.t), 10 * t))
        prev = (t, f, s)
        _ = gLow.update(fromContentsOf: g)
        t = next
    }
    // Algorithm 3.6: shrink [lo, hi] keeping φ(lo) the lowest Armijo-satisfying value seen.
    while bracketed && evaluations < maxEvaluations && abs(hi.t - lo.t) * pMax >= toleranceChange {
        let a = min(lo.t, hi.t), b = max(lo.t, hi.t), width = b - a
        var tj = cubicMinimizer(lo.t, lo.f, lo.s, hi.t, hi.f, hi.s, bounds: (a, b))
        // A cubic step hugging an end makes little progress: bisect instead.
        if min(tj - a, b - tj) < 0.1 * width { tj = a + 0.5 * width }
        let (f, s) = evaluate(tj)
        if !armijo(tj, f) || f >= lo.f {
            hi = (tj, f, s)
        } else {
            if curvature(s) { return LineSearchResult(step: tj, loss: f, slope: s, evaluations: evaluations, satisfied: true) }
            if s * (hi.t - lo.t) >= 0 { hi = lo }
            lo = (tj, f, s)
            _ = gLow.update(fromContentsOf: g)
        }
    }
    moveTo(lo.t)
    _ = g.update(fromContentsOf: gLow)
    return LineSearchResult(step: lo.t, loss: lo.f, slope: lo.s, evaluations: evaluations, satisfied: false)
}

/// The minimiser of the cubic interpolating (x₁, f₁, f₁′) and (x₂, f₂, f₂′), clamped to
/// `bounds`; the midpoint of the bounds when the cubic has no real minimiser.
func cubicMinimizer(_ x1: Double, _ f1: Double, _ g1: Double, _ x2: Double, _ f2: Double, _ g2: Double,
                    bounds: (Double, Double)) -> Double {
    let (lo, hi) = (min(bounds.0, bounds.1), max(bounds.0, bounds.1))
    let d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    let d2Square = d1 * d1 - g1 * g2
    guard d2Square >= 0, x1 != x2 else { return (lo + hi) / 2 }
    let d2 = d2Square.squareRoot()
    let t = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                     : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    guard t.isFinite else { return (lo + hi) / 2 }
    return min(max(t, lo), hi)
}
