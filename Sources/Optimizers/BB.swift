import OptBenchCore
import OptBenchKernels

/// The Barzilai–Borwein quotient: BB1 α = sᵀs/sᵀy (the long step) or BB2 α = sᵀy/yᵀy (the short step).
public enum BBFormula: String, ParameterChoice { case bb1, bb2 }

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
/// without line search (Dai & Liao, 2002). Parameter groups are refused (one step for the
/// whole vector).
public struct BB<Scalar: KernelScalar>: Optimizer, ParameterSet {
    public typealias Formula = BBFormula

    @HyperParameter("lr", range: 1e-300...1e12, "step of the first iteration, before any (s, y) pair exists")
    public var lr = 1e-3
    @HyperParameter("formula", "step formula: bb1 = sᵀs/sᵀy (long), bb2 = sᵀy/yᵀy (short)")
    public var formula = BBFormula.bb1
    @HyperParameter("nonmonotone", range: 0...1000, "memory M of the non-monotone (GLL/Raydan) line search; 0 = pure BB")
    public var nonmonotone = 0
    @HyperParameter("step_min", range: 0...1e300, "lower clamp of the BB step")
    public var stepMin = 1e-10
    @HyperParameter("step_max", range: 0...1e300, "upper clamp of the BB step")
    public var stepMax = 1e10

    public init() {}

    public func validate(owner: String) throws(ConfigurationError) {
        guard stepMin <= stepMax else {
            throw ConfigurationError("\(owner): step_min=\(formatShort(stepMin)) exceeds step_max=\(formatShort(stepMax))")
        }
    }

    /// Sufficient-decrease constant γ and backtracking factor of the non-monotone search.
    static var gamma: Double { 1e-4 }
    static var shrink: Double { 0.5 }
    static var maxBacktracks: Int { 30 }

    /// The previous point and gradient (for s and y), the current gradient, the last step α and,
    /// with the non-monotone search, the last M values of F.
    public struct State {
        var gradient: [Scalar]          // ∇F(w_k)
        var previousPoint: [Scalar]     // w_{k−1}
        var previousGradient: [Scalar]  // ∇F(w_{k−1})
        var trialGradient: [Scalar]     // line search only
        var base: [Scalar]              // line search only: w_k while trying steps
        var recent: [Double]            // last M values of F, a ring
        var alpha = 0.0
        var loss = 0.0
        var iteration = 0
        var haveGradient = false        // ∇F at the current w is already in `gradient`
    }

    public var requirements: Requirements { Requirements() }

    public func makeState(for oracle: GradientOracle<Scalar>, seed: UInt64) -> State {
        let zeros = [Scalar](repeating: 0, count: oracle.dimension), search = nonmonotone > 0
        return State(gradient: zeros, previousPoint: zeros, previousGradient: zeros,
                     trialGradient: search ? zeros : [], base: search ? zeros : [],
                     recent: .init(repeating: -.infinity, count: nonmonotone))
    }

    public func step(_ w: UnsafeMutableBufferPointer<Scalar>, state: inout State, oracle: GradientOracle<Scalar>) {
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
            state.gradient.withUnsafeBufferPointer { axpy(d, -Scalar(state.alpha), $0.baseAddress!, w.baseAddress!) }
        } else {
            search(w, state: &state, oracle: oracle)
        }
    }

    /// The clamped BB quotient from (s, y), or the previous α without positive curvature.
    func bbStep(_ w: UnsafeMutableBufferPointer<Scalar>, state: inout State) -> Double {
        var ss = 0.0, sy = 0.0, yy = 0.0
        state.gradient.withUnsafeBufferPointer { g in
            state.previousPoint.withUnsafeBufferPointer { pw in
                state.previousGradient.withUnsafeBufferPointer { pg in
                    for j in 0..<w.count {
                        // Differences in the working precision, products summed in Double.
                        let s = Double(w[j] - pw[j]), y = Double(g[j] - pg[j])
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

    func search(_ w: UnsafeMutableBufferPointer<Scalar>, state: inout State, oracle: GradientOracle<Scalar>) {
        let d = w.count
        let reference = state.recent.max() ?? state.loss
        _ = state.base.withUnsafeMutableBufferPointer { $0.update(fromContentsOf: w) }
        let gg = Double(state.gradient.withUnsafeBufferPointer { dot(d, $0.baseAddress!, $0.baseAddress!) })
        var t = 1.0
        state.base.withUnsafeBufferPointer { base in
            state.gradient.withUnsafeBufferPointer { g in
                state.trialGradient.withUnsafeMutableBufferPointer { tg in
                    for attempt in 0...Self.maxBacktracks {
                        let step = t * state.alpha
                        let scaled = Scalar(step)
                        for j in 0..<d { w[j] = base[j] - scaled * g[j] }
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
}

extension OptimizerEntry {
    /// Barzilai–Borwein (`BB`).
    public static let bb = OptimizerEntry(
        name: "bb",
        summary: "Barzilai–Borwein gradient method (BB1 or BB2 step), optional non-monotone line search",
        float: BB<Float>.self, double: BB<Double>.self, groupsRefused: "one step size for all parameters")
}
