import Testing
import OptBenchCore
import OptBenchOptimizers
import TestSupport

// Identities between the adaptive rules (optax pins the first), each run on the 9-entry
// quadratic `network()` so the fused pass's partial last block is exercised too.

/// With α = β₂, no momentum and bias correction, RMSProp's step η g/(√(v/(1 − αᵗ)) + ε) is Adam's
/// with β₁ = 0 (m_t = g_t, 1 − β₁ᵗ = 1), bit for bit: both go through the same shared pieces.
@Test func rmspropWithBiasCorrectionIsAdamWithoutFirstMoment() throws {
    for decay in ["0", "0.1"] {
        let adam = try rule("adam", "lr=0.05", "betas=0,0.99", "eps=1e-6", "weight_decay=\(decay)")
        let rmsprop = try rule("rmsprop", "lr=0.05", "alpha=0.99", "eps=1e-6", "weight_decay=\(decay)", "bias_correction=true")
        let a = iterates(adam, oracle: oracle(network()), start: start, steps: 30)
        let b = iterates(rmsprop, oracle: oracle(network()), start: start, steps: 30)
        #expect(a == b, "weight_decay \(decay)")
        // torch's RMSprop, without the correction, is a different rule.
        let plain = iterates(try rule("rmsprop", "lr=0.05", "alpha=0.99", "eps=1e-6", "weight_decay=\(decay)"),
                             oracle: oracle(network()), start: start, steps: 30)
        #expect(plain[1] != a[1])
    }
}

/// AdamW with weight_decay 0 is Adam; with decay it is Adam with decoupled_weight_decay (the
/// presets are one rule), and not Adam's L2 penalty.
@Test func adamwWithoutWeightDecayIsAdam() throws {
    let f = network()
    let adam = iterates(try rule("adam", "lr=0.02"), oracle: oracle(f), start: start, steps: 25)
    let adamw = iterates(try rule("adamw", "lr=0.02", "weight_decay=0"), oracle: oracle(f), start: start, steps: 25)
    #expect(adam == adamw)

    let decoupled = iterates(try rule("adamw", "lr=0.02", "weight_decay=0.3"), oracle: oracle(f), start: start, steps: 25)
    let flagged = iterates(try rule("adam", "lr=0.02", "weight_decay=0.3", "decoupled_weight_decay=true"),
                           oracle: oracle(f), start: start, steps: 25)
    let l2 = iterates(try rule("adam", "lr=0.02", "weight_decay=0.3"), oracle: oracle(f), start: start, steps: 25)
    #expect(decoupled == flagged)
    #expect(decoupled[1] != l2[1])
    // One decoupled step by hand: θ₁ = (1 − ηλ)θ₀ − η·g/(|g| + ε), since m̂₁ = g and v̂₁ = g².
    for j in 0..<9 {
        let g = curvature[j] * start[j] - target[j]
        let byHand = (1 - 0.02 * 0.3) * start[j] - 0.02 * g / (abs(g) + 1e-8)
        #expect(isClose(decoupled[1][j], byHand, rtol: 1e-12), "entry \(j)")
    }
}

/// The `amsgrad` entry is `adam` with amsgrad=true.
@Test func amsgradPresetIsAdamWithAmsgrad() throws {
    let f = network()
    let preset = iterates(try rule("amsgrad", "lr=0.05", "betas=0.5,0.9"), oracle: oracle(f), start: start, steps: 25)
    let flagged = iterates(try rule("adam", "lr=0.05", "betas=0.5,0.9", "amsgrad=true"), oracle: oracle(f), start: start, steps: 25)
    #expect(preset == flagged)
}

/// Adam with β₁ = β₂ = 0 and ε = 0 is sign descent θ ← θ − η·sign(g): m = g, v = g², √v = |g|.
@Test func adamWithoutAveragingIsSignDescent() throws {
    let f = network()
    let path = iterates(try rule("adam", "lr=0.01", "betas=0,0", "eps=0"), oracle: oracle(f), start: start, steps: 10)
    var w = start
    for t in 1...10 {
        for j in 0..<9 {
            let g = curvature[j] * w[j] - target[j]
            w[j] -= 0.01 * (g > 0 ? 1 : -1)
        }
        #expect(isClose(path[t], w, rtol: 1e-14, atol: 1e-15), "step \(t)")
    }
}

/// AMSGrad never lets its denominator shrink: the root of the running maximum √v̂_t, and so the
/// step size η/√v̂_t before the bias corrections, is monotone. With β₁ = 0 the step reveals the
/// denominator, D_t = η g_t/(θ_{t−1} − θ_t) = √v̂_t/√(1 − β₂ᵗ) + ε, so √v̂_t = (D_t − ε)·√(1 − β₂ᵗ)
/// is read off the iterates, and checked against the running maximum of v recomputed from the
/// gradients. On a quadratic the gradients shrink, and plain Adam's √v_t does decrease.
@Test func amsgradNeverShrinksItsDenominator() throws {
    let h = [4.0, 1, 0.25], b = [1.0, -2, 0.5], x0 = [2.0, 3, -4]
    let f = TestObjective<Double>.quadratic(diagonal: h, linear: b)
    let lr = 0.05, beta2 = 0.9, eps = 1e-8, steps = 40
    func roots(_ amsgrad: Bool) throws -> [[Double]] {
        let path = iterates(try rule("adam", "lr=\(lr)", "betas=0,\(beta2)", "eps=\(eps)", "amsgrad=\(amsgrad)"),
                            oracle: oracle(f), start: x0, steps: steps)
        var v = [0.0, 0, 0], vMax = [0.0, 0, 0], result: [[Double]] = []
        for t in 1...steps {
            let correction = 1 - beta2.power(t)
            var row: [Double] = []
            for j in 0..<3 {
                let g = h[j] * path[t - 1][j] - b[j]
                v[j] = beta2 * v[j] + (1 - beta2) * g * g
                vMax[j] = max(vMax[j], v[j])
                let d = lr * g / (path[t - 1][j] - path[t][j])
                let root = (d - eps) * correction.squareRoot()
                let want = (amsgrad ? vMax[j] : v[j]).squareRoot()
                #expect(isClose(root, want, rtol: 1e-9), "amsgrad \(amsgrad), step \(t), entry \(j)")
                row.append(root)
            }
            result.append(row)
        }
        return result
    }
    let amsgrad = try roots(true), adam = try roots(false)
    for t in 1..<steps {
        for j in 0..<3 { #expect(amsgrad[t][j] >= amsgrad[t - 1][j] * (1 - 1e-9), "step \(t + 1), entry \(j)") }
    }
    #expect((0..<3).contains { j in adam.last![j] < 0.5 * adam.map { $0[j] }.max()! },
            "the test needs a run where Adam's denominator drops")
}
