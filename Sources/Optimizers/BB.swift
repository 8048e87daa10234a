import Core
import Kernels

/// Barzilai–Borwein gradient method (Barzilai & Borwein, 1988), optionally with Raydan's
/// non-monotone line search (Raydan, 1997; Grippo, Lampariello & Lucidi, 1986).
///
///     s = w_k − w_{k−1},  y = ∇F(w_k) − ∇F(w_{k−1})
///     α_0 = lr;  α_k = sᵀs / sᵀy  (BB1, `formula` bb1)  or  sᵀy / yᵀy  (BB2, `formula` bb2)
///     w_{k+1} = w_k − t_k α_k ∇F(w_k)
///
/// α_k is clamped to [`step_min`, `step_max`]; when sᵀy ≤ 0 (no positive curvature along s,
/// so neither quotient is a step) the previous α is kept. With `nonmonotone` M = 0 (default)
/// t_k = 1: pure BB, one gradient (one epoch) per step, not monotone in F. With M ≥ 1, t_k is
/// the first of 1, ½, ¼, … (at most 30) with
///     F(w_k − tα∇F) ≤ max_{0≤i<M} F(w_{k−i}) − 10⁻⁴·tα‖∇F(w_k)‖²,
/// each trial a loss-and-gradient evaluation (one epoch), the accepted one reused by the next step.
/// The first step is GD with step `lr`. On a strongly convex quadratic BB converges R-linearly
/// without line search (Dai & Liao, 2002).
/// - Parameters: `lr` 1e-3, `formula` bb1, `nonmonotone` 0, `step_min` 1e-10, `step_max` 1e10.
public struct BB: Optimizer {
    /// BB1 α = sᵀs/sᵀy (the long step) or BB2 α = sᵀy/yᵀy (the short step).
    public enum Formula: String, Sendable { case bb1, bb2 }

    public var lr: Double
    public var formula: Formula
    /// M, the non-monotone memory; 0 means no line search.
    public var nonmonotone: Int
    public var stepMin: Double
    public var stepMax: Double

    public init(lr: Double = 1e-3, formula: Formula = .bb1, nonmonotone: Int = 0, stepMin: Double = 1e-10, stepMax: Double = 1e10) {
        self.lr = lr
        self.formula = formula
        self.nonmonotone = nonmonotone
        self.stepMin = stepMin
        self.stepMax = stepMax
    }

    /// Sufficient-decrease constant γ and backtracking factor of the non-monotone search.
    static let gamma = 1e-4, shrink = 0.5, maxBacktracks = 30

    /// The previous point and gradient (for s and y), the current gradient, the last step α and,
    /// with the non-monotone search, the last M values of F.
    public struct State {
        var gradient: [Double]          // ∇F(w_k)
        var previousPoint: [Double]     // w_{k−1}
        var previousGradient: [Double]  // ∇F(w_{k−1})
        var trialGradient: [Double]     // line search only
        var base: [Double]              // line search only: w_k while trying steps
        var recent: [Double]            // last M values of F, a ring
        var alpha = 0.0
        var loss = 0.0
        var iteration = 0
        var haveGradient = false        // ∇F at the current w is already in `gradient`
    }

    public var requirements: OracleCapabilities { .fullGradient }

    public func makeState(dimension d: Int, sampleCount: Int, seed: UInt64) -> State {
        let zeros = [Double](repeating: 0, count: d), search = nonmonotone > 0
        return State(gradient: zeros, previousPoint: zeros, previousGradient: zeros,
                     trialGradient: search ? zeros : [], base: search ? zeros : [],
                     recent: .init(repeating: -.infinity, count: nonmonotone))
    }

    public func step(_ w: UnsafeMutableBufferPointer<Double>, state: inout State, oracle: some GradientOracle) {
        let d = w.count
        if !state.haveGradient {
            state.loss = state.gradient.withUnsafeMutableBufferPointer { oracle.lossAndGradient(at: UnsafeBufferPointer(w), into: $0) }
        }
        state.haveGradient = false
        let k = state.iteration
        state.iteration += 1
        if nonmonotone > 0 { state.recent[k % nonmonotone] = state.loss }
        state.alpha = k == 0 ? lr : bbStep(w, state: &state)
        _ = state.previousPoint.withUnsafeMutableBufferPointer { $0.update(fromContentsOf: w) }
        state.previousGradient.withUnsafeMutableBufferPointer { pg in
            state.gradient.withUnsafeBufferPointer { g in _ = pg.update(fromContentsOf: g) }
        }
        if nonmonotone == 0 {
            state.gradient.withUnsafeBufferPointer { axpy(d, -state.alpha, $0.baseAddress!, w.baseAddress!) }
        } else {
            search(w, state: &state, oracle: oracle)
        }
    }

    /// The clamped BB quotient from (s, y), or the previous α without positive curvature.
    func bbStep(_ w: UnsafeMutableBufferPointer<Double>, state: inout State) -> Double {
        var ss = 0.0, sy = 0.0, yy = 0.0
        state.gradient.withUnsafeBufferPointer { g in
            state.previousPoint.withUnsafeBufferPointer { pw in
                state.previousGradient.withUnsafeBufferPointer { pg in
                    for j in 0..<w.count {
                        let s = w[j] - pw[j], y = g[j] - pg[j]
                        ss += s * s
                        sy += s * y
                        yy += y * y
                    }
                }
            }
        }
        guard sy > 0 else { return state.alpha }
        let alpha = formula == .bb1 ? ss / sy : sy / yy
        guard alpha.isFinite else { return state.alpha }
        return min(max(alpha, stepMin), stepMax)
    }

    func search(_ w: UnsafeMutableBufferPointer<Double>, state: inout State, oracle: some GradientOracle) {
        let d = w.count
        let reference = state.recent.max()!
        _ = state.base.withUnsafeMutableBufferPointer { $0.update(fromContentsOf: w) }
        let gg = state.gradient.withUnsafeBufferPointer { dot(d, $0.baseAddress!, $0.baseAddress!) }
        var t = 1.0
        state.base.withUnsafeBufferPointer { base in
            state.gradient.withUnsafeBufferPointer { g in
                state.trialGradient.withUnsafeMutableBufferPointer { tg in
                    for attempt in 0...Self.maxBacktracks {
                        let step = t * state.alpha
                        for j in 0..<d { w[j] = base[j] - step * g[j] }
                        let f = oracle.lossAndGradient(at: UnsafeBufferPointer(w), into: tg)
                        if f <= reference - Self.gamma * step * gg || attempt == Self.maxBacktracks {
                            state.loss = f
                            break
                        }
                        t *= Self.shrink
                    }
                }
            }
        }
        swap(&state.gradient, &state.trialGradient)
        state.haveGradient = true
    }

    public static let entry = OptimizerEntry(
        name: "bb",
        summary: "Barzilai–Borwein gradient method (BB1 or BB2 step), optional non-monotone line search",
        parameters: [
            .real("lr", 1e-3, range: 1e-300...1e12, "step of the first iteration, before any (s, y) pair exists"),
            .choice("formula", ["bb1", "bb2"], default: "bb1", "step formula: bb1 = sᵀs/sᵀy (long), bb2 = sᵀy/yᵀy (short)"),
            .integer("nonmonotone", 0, range: 0...1000, "memory M of the non-monotone (GLL/Raydan) line search; 0 = pure BB"),
            .real("step_min", 1e-10, range: 0...1e300, "lower clamp of the BB step"),
            .real("step_max", 1e10, range: 0...1e300, "upper clamp of the BB step"),
        ]
    ) { p throws(ConfigurationError) in
        let rule = BB(lr: p.real("lr"), formula: Formula(rawValue: p.text("formula"))!, nonmonotone: p.integer("nonmonotone"),
                      stepMin: p.real("step_min"), stepMax: p.real("step_max"))
        guard rule.stepMin <= rule.stepMax else {
            throw ConfigurationError("\(p.owner): step_min=\(formatShort(rule.stepMin)) exceeds step_max=\(formatShort(rule.stepMax))")
        }
        return rule
    }
}
