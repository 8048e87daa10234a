import Testing
import OptBenchCore
@testable import OptBenchOptimizers
import TestSupport

@Test func lbfgsReachesRosenbrocksMinimumNoSlowerThanScipy() throws {
    let f = TestObjective<Double>.rosenbrock()
    let run = try rule("lbfgs").start(on: oracle(f), seed: 0)
    var iterations = 0
    var w = [-1.5, 2.0]
    while value(f, w) >= 1e-10 && iterations < 200 {
        w.withUnsafeMutableBufferPointer { run.step($0) }
        iterations += 1
    }
    // scipy.optimize.minimize(method="L-BFGS-B") takes 45 iterations from (−1.5, 2).
    #expect(iterations <= 45, "\(iterations) iterations")
}

@Test func firstStepIsScaledSteepestDescent() throws {
    // F = 2w², w₀ = 1: g = 4, first trial 1/‖g‖₂ = ¼ lands on the minimiser, where φ′ = 0.
    let path = iterates(try rule("lbfgs"), oracle: oracle(TestObjective<Double>.quadratic(diagonal: [4])), start: [1], steps: 1)
    #expect(path[1] == [0])
    // line_search_fn none takes that trial step outright. g = (1, 2) at w₀ = (1, 1):
    // L-BFGS-B's t = lr/‖g‖₂ = 0.5/√5; torch's t = min(1, 1/‖g‖₁)·lr = 1/6.
    let quadratic = TestObjective<Double>.quadratic(diagonal: [1, 2])
    let fixed = iterates(try rule("lbfgs", "line_search_fn=none", "lr=0.5"), oracle: oracle(quadratic), start: [1, 1], steps: 1)
    let t = 0.5 / 5.0.squareRoot()
    let expected: [Double] = [1 - t, 1 - 2 * t]
    #expect(isClose(fixed[1], expected, rtol: 1e-15))
    let torch = iterates(try rule("lbfgs", "line_search_fn=none", "lr=0.5", "first_step=torch"), oracle: oracle(quadratic), start: [1, 1], steps: 1)
    let expectedTorch: [Double] = [1 - 1.0 / 6, 1 - 2.0 / 6]
    #expect(isClose(torch[1], expectedTorch, rtol: 1e-15))
}

/// L-BFGS-B keeps a pair when sᵀy > ε·(−gᵀs), a test relative to the step's own scale; torch's
/// absolute sᵀy > 1e-10 rejects every pair of a problem whose curvature is tiny, leaving
/// steepest descent. On F = ½(10⁻¹⁴w₁² + 10⁻¹²w₂²) (κ = 100, sᵀy ≈ 10⁻¹²) the relative test
/// builds the quasi-Newton model and converges in a few iterations, while the absolute one
/// zigzags at steepest descent's rate ((κ − 1)/(κ + 1))² per iteration.
@Test func curvatureTestIsRelativeToTheStep() throws {
    let f = TestObjective<Double>.quadratic(diagonal: [1e-14, 1e-12])
    func iterationsToConverge(_ extra: String...) throws -> Int {
        let optimizer = try configured("lbfgs", ["tolerance_grad=0"] + extra).float64
        let path = iterates(optimizer, oracle: oracle(f), start: [1, 1], steps: 30)
        return path.firstIndex { abs($0[0]) < 1e-6 && abs($0[1]) < 1e-6 } ?? 31
    }
    let relative = try iterationsToConverge(), absolute = try iterationsToConverge("curvature_test=absolute")
    #expect(relative <= 4, "\(relative) iterations with the relative test")
    #expect(absolute > 10, "\(absolute) iterations with the absolute test")
}

@Test func secondDirectionIsTheBFGSUpdateOfTheScaledIdentity() throws {
    let h = [1.0, 10], b = [1.0, 2]
    let path = iterates(try rule("lbfgs"), oracle: oracle(TestObjective<Double>.quadratic(diagonal: h, linear: b)), start: [3, 1], steps: 2)
    func grad(_ w: [Double]) -> [Double] { [h[0] * w[0] - b[0], h[1] * w[1] - b[1]] }
    let s = [path[1][0] - path[0][0], path[1][1] - path[0][1]]
    let g1 = grad(path[1]), g0 = grad(path[0])
    let y = [g1[0] - g0[0], g1[1] - g0[1]]
    let sy = s[0] * y[0] + s[1] * y[1], rho = 1 / sy, gamma = sy / (y[0] * y[0] + y[1] * y[1])
    // H = (I − ρ s yᵀ) γI (I − ρ y sᵀ) + ρ s sᵀ, Nocedal & Wright (7.19) with H⁰ = γI.
    func hMatrix(_ i: Int, _ j: Int) -> Double {
        var v = 0.0
        for k in 0..<2 {
            let left = (i == k ? 1 : 0) - rho * s[i] * y[k]
            let right = (k == j ? 1 : 0) - rho * y[k] * s[j]
            v += left * gamma * right
        }
        return v + rho * s[i] * s[j]
    }
    let p = (0..<2).map { i in -(hMatrix(i, 0) * g1[0] + hMatrix(i, 1) * g1[1]) }
    let step = [path[2][0] - path[1][0], path[2][1] - path[1][1]]
    // The step is t·p for some t > 0: parallel and same sense.
    #expect(parallel(step, p, rtol: 1e-12))
    #expect(step[0] * p[0] + step[1] * p[1] > 0)
}

@Test func historyZeroIsSteepestDescentWithTheLineSearch() throws {
    let f = TestObjective<Double>.rosenbrock()
    let path = iterates(try rule("lbfgs", "history_size=0"), oracle: oracle(f), start: [-1.5, 2], steps: 30)
    for k in 0..<30 {
        let g = value(f, path[k]) > 0 ? rosenbrockGradient(path[k]) : [0, 0]
        let step = [path[k + 1][0] - path[k][0], path[k + 1][1] - path[k][1]]
        // Parallel to −∇F and a descent step satisfying both Wolfe conditions.
        #expect(parallel(step, g, rtol: 1e-10))
        #expect(step[0] * g[0] + step[1] * g[1] < 0)
        let t = abs(step[0]) > abs(step[1]) ? -step[0] / g[0] : -step[1] / g[1]
        #expect(satisfiesStrongWolfe(at: path[k], direction: g.map { -$0 }, step: t))
    }
}

/// Whether 2-vectors a and b are parallel (a × b ≈ 0 relative to its terms).
func parallel(_ a: [Double], _ b: [Double], rtol: Double) -> Bool {
    let cross: Double = a[0] * b[1] - a[1] * b[0]
    let scale: Double = abs(a[0] * b[1]) + abs(a[1] * b[0])
    return abs(cross) <= rtol * scale
}

/// Both strong-Wolfe conditions (c₁ = 1e-4, c₂ = 0.9), checked on Rosenbrock from scratch.
func satisfiesStrongWolfe(at w: [Double], direction p: [Double], step t: Double, c1: Double = 1e-4, c2: Double = 0.9) -> Bool {
    let f = TestObjective<Double>.rosenbrock()
    let x = [w[0] + t * p[0], w[1] + t * p[1]]
    let g0 = rosenbrockGradient(w), g = rosenbrockGradient(x)
    let d0 = g0[0] * p[0] + g0[1] * p[1], dt = g[0] * p[0] + g[1] * p[1]
    return value(f, x) <= value(f, w) + c1 * t * d0 && abs(dt) <= c2 * abs(d0)
}

/// The search on its own, from several points and directions of Rosenbrock and with initial
/// trials far too long and far too short: the returned step satisfies both conditions, and `w`
/// and `gradient` hold the accepted point.
@Test(arguments: [([-1.5, 2.0], 1.0), ([0.0, 0.0], 1.0), ([1.2, 1.0], 1e-4), ([-1.2, 1.0], 10.0), ([2.0, 2.0], 1e-3), ([0.5, -0.5], 100.0)])
func strongWolfeStepSatisfiesBothConditions(start: [Double], initialStep: Double) {
    let f = TestObjective<Double>.rosenbrock()
    let o = oracle(f)
    var evaluationsBefore = 0
    for direction in [rosenbrockGradient(start).map { -$0 }, [1.0, 0.5], [-0.3, 1]] {
        let g0 = rosenbrockGradient(start)
        guard g0[0] * direction[0] + g0[1] * direction[1] < 0 else { continue }
        var w = [0.0, 0], g = [0.0, 0], low = [0.0, 0]
        let result = start.withUnsafeBufferPointer { w0 in
            direction.withUnsafeBufferPointer { p in
                g0.withUnsafeBufferPointer { g0p in
                    w.withUnsafeMutableBufferPointer { wp in
                        g.withUnsafeMutableBufferPointer { gp in
                            low.withUnsafeMutableBufferPointer { lp in
                                strongWolfeSearch(oracle: o, origin: w0, direction: p, loss: value(f, start), gradient0: g0p,
                                                  initialStep: initialStep, point: wp, gradient: gp, low: lp)
                            }
                        }
                    }
                }
            }
        }
        #expect(result.satisfied, "from \(start) along \(direction)")
        #expect(satisfiesStrongWolfe(at: start, direction: direction, step: result.step), "t = \(result.step)")
        #expect(isClose(w, [start[0] + result.step * direction[0], start[1] + result.step * direction[1]], rtol: 1e-13, atol: 1e-300))
        #expect(isClose(g, rosenbrockGradient(w), rtol: 1e-12))
        #expect(o.charges.full == result.evaluations + evaluationsBefore)
        evaluationsBefore = o.charges.full
    }
}

@Test func cubicMinimizerOfACubicIsExact() {
    // φ(t) = t³ − 3t has its local minimiser at t = 1; φ′ = 3t² − 3.
    func f(_ t: Double) -> Double { t * t * t - 3 * t }
    func g(_ t: Double) -> Double { 3 * t * t - 3 }
    #expect(isClose(cubicMinimizer(0, f(0), g(0), 2, f(2), g(2), bounds: (0, 2)), 1, rtol: 1e-14))
    #expect(isClose(cubicMinimizer(2, f(2), g(2), 0.5, f(0.5), g(0.5), bounds: (0.5, 2)), 1, rtol: 1e-14))
}

/// Parameter groups are refused, as torch.optim.LBFGS refuses more than one group.
@Test func lbfgsRefusesParameterGroups() throws {
    do {
        _ = try configured("lbfgs", [], groups: [ParameterGroup(selector: "parameters", assignments: ["lr=0.5"])])
        Issue.record("lbfgs accepted a parameter group")
    } catch let error as ConfigurationError {
        #expect(error.message.contains("lbfgs") && error.message.contains("parameter groups"), "\(error.message)")
    }
}

/// In Float the search keeps steps and losses in Double and still finds a strong-Wolfe step.
@Test func lbfgsInFloatReachesRosenbrocksMinimum() throws {
    let f = TestObjective<Float>.rosenbrock()
    let path = iterates(try configured("lbfgs", []).float32, oracle: oracle(f), start: [-1.5, 2], steps: 60)
    #expect(value(f, path.last!) < 1e-8, "\(path.last!)")
}
