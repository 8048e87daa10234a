import OptBenchCore
import OptBenchKernels

/// L-BFGS's line search: strong_wolfe (Nocedal & Wright Alg. 3.5/3.6) or none (the initial
/// trial step, torch's fixed-step mode).
public enum LBFGSLineSearch: String, ParameterChoice { case strongWolfe = "strong_wolfe", none }

/// L-BFGS's first trial step: lr/‖∇F(w₀)‖₂ (L-BFGS-B) or min(1, 1/‖∇F(w₀)‖₁)·lr (torch).
public enum LBFGSFirstStep: String, ParameterChoice { case inverseNorm = "inverse_l2", torch }

/// When L-BFGS stores a pair (s, y): sᵀy > ε·(−∇Fᵀs) (L-BFGS-B) or sᵀy > 1e-10 (torch).
public enum LBFGSCurvatureTest: String, ParameterChoice { case relative, absolute }

/// Limited-memory BFGS (Liu & Nocedal, 1989; Nocedal & Wright, 2006, Alg. 7.4 and 7.5) with a
/// strong-Wolfe line search, in torch.optim.LBFGS's parameter names and scipy L-BFGS-B's
/// (Byrd, Lu, Nocedal & Zhu, 1995) first step and curvature test.
///
///     p_k = −H_k ∇F(w_k)   (two-loop recursion over the last m pairs (s_i, y_i),
///                           H⁰_k = γ_k I, γ_k = s_{k−1}ᵀy_{k−1} / y_{k−1}ᵀy_{k−1})
///     w_{k+1} = w_k + t_k p_k,   t_k from the strong-Wolfe search (c₁ = 1e-4, c₂ = 0.9),
///                                first trial lr/‖∇F(w₀)‖₂ at k = 0 (L-BFGS-B), then lr
///     s_k = w_{k+1} − w_k,  y_k = ∇F(w_{k+1}) − ∇F(w_k);
///     the pair is kept only if s_kᵀy_k > ε_mach·(−∇F(w_k)ᵀs_k)   (L-BFGS-B's relative test)
///
/// torch's conventions are available: `first_step` torch tries min(1, 1/‖∇F(w₀)‖₁)·lr, and
/// `curvature_test` absolute keeps a pair when s_kᵀy_k > 1e-10. The absolute threshold drops
/// every pair once steps are short (‖s‖·‖y‖ ≲ 1e-10, which late iterations of an
/// ill-conditioned problem reach), leaving steepest descent; with the relative test the
/// iteration counts match L-BFGS-B's (`classical-bench` compares them on logistic regression).
///
/// One `step` is one iteration: one direction and one line search, each trial a
/// loss-and-gradient evaluation (one epoch); the accepted point's gradient is reused by the next
/// step. With `line_search_fn` none the step is t_k = the first trial (torch's fixed-step mode),
/// plus one evaluation at the new point. A step is skipped (w unchanged) when max|∇F| ≤
/// `tolerance_grad`, torch's first stopping test. Its other test, ∇Fᵀp > −`tolerance_change`,
/// is not applied: near a minimiser ∇Fᵀp ≈ −2(F − F*), so it would freeze runs at
/// F − F* ≈ 5e-10; stopping runs is the harness's job, and `tolerance_change` only bounds the
/// line search's bracket. History 0 is steepest descent with the line search. Parameter groups
/// are refused, as torch.optim.LBFGS refuses more than one. In Float, vectors and the two-loop
/// recursion are Float while steps, losses and curvature sums are Double, and the relative
/// curvature test uses Float's ε.
/// Defaults: scipy's and Nocedal & Wright's history m = 10 (torch uses 100) and the strong-Wolfe
/// search (torch's default is none).
public struct LBFGS<Scalar: KernelScalar>: Optimizer, ParameterSet {
    public typealias LineSearch = LBFGSLineSearch
    public typealias FirstStep = LBFGSFirstStep
    public typealias CurvatureTest = LBFGSCurvatureTest

    @HyperParameter("lr", range: 1e-300...1e12, "initial trial step of each line search (first iteration: see first_step)")
    public var lr = 1.0
    @HyperParameter("history_size", range: 0...1e4, "m, the number of (s, y) pairs kept (torch's default is 100)")
    public var historySize = 10
    @HyperParameter("line_search_fn", "strong_wolfe (Nocedal & Wright Alg. 3.5/3.6, c1 = 1e-4, c2 = 0.9) or none (fixed step lr)")
    public var lineSearch = LBFGSLineSearch.strongWolfe
    @HyperParameter("tolerance_grad", range: 0...1e300, "no step when max|∇F| ≤ this")
    public var toleranceGrad = 1e-7
    @HyperParameter("tolerance_change", range: 0...1e300, "line search stops when its bracket is narrower than this (times max|p|)")
    public var toleranceChange = 1e-9
    @HyperParameter("max_ls", range: 1...1e4, "evaluations per line search")
    public var maxLineSearch = 25
    @HyperParameter("first_step", "first iteration's trial step: lr/‖g‖₂ (scipy L-BFGS-B) or min(1, 1/‖g‖₁)·lr (torch)")
    public var firstStep = LBFGSFirstStep.inverseNorm
    @HyperParameter("curvature_test", "keep (s, y) when sᵀy > ε·(−gᵀs) (scipy L-BFGS-B) or sᵀy > 1e-10 (torch)")
    public var curvatureTest = LBFGSCurvatureTest.relative

    public init() {}

    /// The ring of the last m pairs (s_i, y_i) with ρ_i = 1/s_iᵀy_i, the gradient at the current
    /// point and line-search scratch.
    public struct State {
        var s: [Scalar]          // m×d ring of s_i
        var y: [Scalar]          // m×d ring of y_i
        var rho: [Scalar]        // 1/(s_iᵀy_i)
        var alpha: [Scalar]      // two-loop coefficients
        var gradient: [Scalar]   // ∇F(w_k)
        var direction: [Scalar]  // p_k
        var origin: [Scalar]     // w_k during the search
        var newGradient: [Scalar]
        var lowGradient: [Scalar]
        var loss = 0.0
        var pairs = 0            // stored pairs, ≤ m
        var newest = -1          // ring index of the newest pair
        var iteration = 0
        var haveGradient = false
    }

    public var requirements: Requirements { Requirements() }

    public func makeState(for oracle: GradientOracle<Scalar>, seed: UInt64) -> State {
        let m = historySize, d = oracle.dimension, zeros = [Scalar](repeating: 0, count: d)
        return State(s: .init(repeating: 0, count: m * d), y: .init(repeating: 0, count: m * d),
                     rho: .init(repeating: 0, count: m), alpha: .init(repeating: 0, count: m),
                     gradient: zeros, direction: zeros, origin: zeros, newGradient: zeros, lowGradient: zeros)
    }

    public func step(_ w: UnsafeMutableBufferPointer<Scalar>, state: inout State, oracle: GradientOracle<Scalar>) {
        let d = w.count
        if !state.haveGradient {
            state.loss = state.gradient.withUnsafeMutableBufferPointer { oracle.lossAndGradient(at: UnsafeBufferPointer(w), into: $0) }
            state.haveGradient = true
        }
        let (gMax, gSum, gSquares) = state.gradient.withUnsafeBufferPointer { g in
            g.reduce((0.0, 0.0, 0.0)) { acc, x in
                let a = Double(abs(x)), v = Double(x)
                return (max(acc.0, a), acc.1 + a, acc.2 + v * v)
            }
        }
        guard gMax > toleranceGrad else { return }
        computeDirection(d, state: &state)
        var slope = state.gradient.withUnsafeBufferPointer { g in
            state.direction.withUnsafeBufferPointer { Double(dot(d, g.baseAddress!, $0.baseAddress!)) }
        }
        if !(slope < 0) {
            // Round-off made the quasi-Newton direction uphill: forget the pairs, use −∇F.
            state.pairs = 0
            computeDirection(d, state: &state)
            slope = state.gradient.withUnsafeBufferPointer { Double(dot(d, $0.baseAddress!, $0.baseAddress!)) } * -1
        }
        guard slope < 0 else { return }
        let t0 = state.iteration > 0 ? lr
            : firstStep == .torch ? min(1, 1 / gSum) * lr : lr / gSquares.squareRoot()
        state.iteration += 1
        _ = state.origin.withUnsafeMutableBufferPointer { $0.update(fromContentsOf: w) }

        let newLoss: Double
        switch lineSearch {
        case .strongWolfe:
            newLoss = state.origin.withUnsafeBufferPointer { origin in
                state.direction.withUnsafeBufferPointer { p in
                    state.gradient.withUnsafeBufferPointer { g0 in
                        state.newGradient.withUnsafeMutableBufferPointer { g in
                            state.lowGradient.withUnsafeMutableBufferPointer { low in
                                strongWolfeSearch(oracle: oracle, origin: origin, direction: p, loss: state.loss, gradient0: g0,
                                                  initialStep: t0, point: w, gradient: g, low: low,
                                                  maxEvaluations: maxLineSearch, toleranceChange: toleranceChange).loss
                            }
                        }
                    }
                }
            }
        case .none:
            state.direction.withUnsafeBufferPointer { axpy(d, Scalar(t0), $0.baseAddress!, w.baseAddress!) }
            newLoss = state.newGradient.withUnsafeMutableBufferPointer { oracle.lossAndGradient(at: UnsafeBufferPointer(w), into: $0) }
        }
        remember(w, state: &state)
        state.loss = newLoss
        swap(&state.gradient, &state.newGradient)
    }

    /// p = −H∇F by the two-loop recursion over the stored pairs, newest first then oldest first.
    func computeDirection(_ d: Int, state: inout State) {
        let m = historySize, count = state.pairs
        state.direction.withUnsafeMutableBufferPointer { q in
            _ = state.gradient.withUnsafeBufferPointer { q.update(fromContentsOf: $0) }
            state.s.withUnsafeBufferPointer { s in
                state.y.withUnsafeBufferPointer { y in
                    state.rho.withUnsafeBufferPointer { rho in
                        state.alpha.withUnsafeMutableBufferPointer { alpha in
                            let q = q.baseAddress!, s = s.baseAddress!, y = y.baseAddress!
                            for back in 0..<count {
                                let i = (state.newest - back + m) % m
                                alpha[i] = rho[i] * dot(d, s + i * d, q)
                                axpy(d, -alpha[i], y + i * d, q)
                            }
                            if count > 0 {
                                let i = state.newest
                                scal(d, dot(d, s + i * d, y + i * d) / dot(d, y + i * d, y + i * d), q)
                            }
                            for forward in 0..<count {
                                let i = (state.newest - count + 1 + forward + m) % m
                                let beta = rho[i] * dot(d, y + i * d, q)
                                axpy(d, alpha[i] - beta, s + i * d, q)
                            }
                            scal(d, -1, q)
                        }
                    }
                }
            }
        }
    }

    /// Stores s = w − w_k, y = ∇F(w) − ∇F(w_k) when the curvature test passes.
    func remember(_ w: UnsafeMutableBufferPointer<Scalar>, state: inout State) {
        let m = historySize, d = w.count
        guard m > 0 else { return }
        // sᵀy first: when the pair is rejected the ring slot, possibly the oldest live pair, stays intact.
        let (sy, gs) = state.origin.withUnsafeBufferPointer { w0 in
            state.gradient.withUnsafeBufferPointer { g0 in
                state.newGradient.withUnsafeBufferPointer { g in
                    (0..<d).reduce((0.0, 0.0)) { acc, k in
                        let s = Double(w[k] - w0[k])
                        return (acc.0 + s * Double(g[k] - g0[k]), acc.1 + s * Double(g0[k]))
                    }
                }
            }
        }
        let threshold = curvatureTest == .relative ? Double(Scalar.ulpOfOne) * -gs : 1e-10
        guard sy > threshold, sy > 0 else { return }
        let slot = (state.newest + 1) % m
        state.s.withUnsafeMutableBufferPointer { s in
            state.y.withUnsafeMutableBufferPointer { y in
                state.origin.withUnsafeBufferPointer { w0 in
                    state.gradient.withUnsafeBufferPointer { g0 in
                        state.newGradient.withUnsafeBufferPointer { g in
                            for j in 0..<d {
                                s[slot * d + j] = w[j] - w0[j]
                                y[slot * d + j] = g[j] - g0[j]
                            }
                        }
                    }
                }
            }
        }
        state.rho[slot] = Scalar(1 / sy)
        state.newest = slot
        state.pairs = min(state.pairs + 1, m)
    }
}

extension OptimizerEntry {
    /// L-BFGS with a strong-Wolfe line search (`LBFGS`).
    public static let lbfgs = OptimizerEntry(
        name: "lbfgs",
        summary: "L-BFGS two-loop recursion with a strong-Wolfe line search (torch.optim.LBFGS, one iteration per step)",
        float: LBFGS<Float>.self, double: LBFGS<Double>.self, groupsRefused: "one step rule for all parameters, as torch.optim.LBFGS")
}
