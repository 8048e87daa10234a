import OptBenchCore
import OptBenchKernels
import OptBenchLinearAlgebra
import Testing
import TestSupport

@testable import OptBenchProblems

@Suite struct LogisticRegressionTests {
    /// Newton-CG (the reference above `denseReferenceLimit` features) and the dense Newton
    /// solve reach the same minimiser and F*, on an ill-conditioned instance.
    @Test(arguments: [["n=300", "d=40"], ["n=50", "d=120", "feature_scale=30", "lambda=1e-4"]])
    func newtonCGReachesTheDenseReference(_ settings: [String]) throws {
        let p = try problem(settings)
        let dense = try #require(p.reference), cg = p.newtonCGReference()
        #expect(dense.converged && cg.converged)
        #expect(isClose(cg.value, dense.value, rtol: 1e-12), "\(cg.value) vs \(dense.value)")
        let gap = zip(cg.solution, dense.solution).reduce(0.0) { max($0, abs($1.0 - $1.1)) }
        #expect(gap <= 1e-8 * max(1, dense.solution.map(abs).max()!), "max |w_cg − w_dense| = \(gap)")
    }

    func problem(_ settings: [String] = ["n=200", "d=6"]) throws -> LogisticRegression<Double> {
        try concrete("logistic", settings, as: LogisticRegression<Double>.self)
    }

    @Test(arguments: [["n=200", "d=6"], ["n=50", "d=10", "separation=20", "lambda=1e-4"], ["n=300", "d=3", "flip=0.3"]])
    func referenceSolutionIsStationaryAndMinimal(settings: [String]) throws {
        let p = try problem(settings)
        let w = try #require(p.solution)
        let fStar = try #require(p.optimalValue)
        let (f, g) = p.lossAndGradient(w)
        #expect(f == fStar)
        #expect(nrm2(g.count, g) <= 1e-12 * max(1, nrm2(g.count, p.lossAndGradient([Double](repeating: 0, count: p.dimension)).1)))
        #expect(property(p.properties, "reference_gradient_norm") == p.reference?.gradientNorm)
        var rng = Xoshiro256(seed: 7)
        for radius in [1e-4, 1e-2, 1] {
            for _ in 0..<10 {
                let v = w.map { $0 + radius * rng.nextGaussian() }
                #expect(p.loss(v) >= fStar)
            }
        }
    }

    /// L = λmax(XᵀX/n)/4 + λ against the eigenvalues of XᵀX/n formed naively, μ = λ, and
    /// L_max = maxᵢ‖xᵢ‖²/4 + λ.
    @Test func theoryConstantsBoundTheCurvature() throws {
        let p = try problem(["n=120", "d=7", "lambda=0.01", "feature_scale=10"])
        let n = 120, d = 7
        var h = [Double](repeating: 0, count: d * d)
        for i in 0..<n { for j in 0..<d { for k in 0..<d { h[j * d + k] += p.design[i, j] * p.design[i, k] / Double(n) } } }
        let top = SymmetricEigen(symmetric: h, dimension: d).eigenvalues[0]
        let t = p.theory
        #expect(isClose(t.smoothness!, top / 4 + 0.01, rtol: 1e-6))
        #expect(t.strongConvexity == 0.01)
        #expect(isClose(t[.conditionNumber]!, (top / 4 + 0.01) / 0.01, rtol: 1e-6))
        let rows = (0..<n).map { i in (0..<d).reduce(0.0) { $0 + p.design[i, $1] * p.design[i, $1] } }
        #expect(isClose(t.maxSampleSmoothness!, rows.max()! / 4 + 0.01, rtol: 1e-13))
        #expect(t.lambdaMax == nil && t.sampleCount == n && t.dimension == d)
        #expect(property(p.properties, "lambda") == 0.01)
        #expect(property(p.properties, "L") == t.smoothness && property(p.properties, "F*") == t.optimalValue)
    }

    @Test func sampleDerivativeGivesTheSampleGradient() throws {
        let p = try problem(["n=200", "d=6", "init=gaussian"])
        let view = try #require(p.linearModel())
        let w = p.initialPoint(seed: 3)
        for i in [0, 17, 199] {
            let phi = view.derivative(w, i)
            let x = Array(view.features(i))
            let expected = (0..<p.dimension).map { phi * x[$0] + view.l2Penalty * w[$0] }
            #expect(isClose(p.sampleGradient(w, samples: [i]), expected, rtol: 1e-13, atol: 1e-15))
        }
        #expect(view.l2Penalty == p.lambda)
    }

    @Test func extremeMarginsStayFinite() {
        #expect(softplus(1000.0) == 1000)
        #expect(softplus(-1000.0) == 0)
        #expect(isClose(softplus(0.0), 0.6931471805599453, rtol: 1e-15))
        #expect(sigmoid(-1000.0) == 0 && sigmoid(1000.0) == 1)
        #expect(isClose(sigmoid(-30.0), 9.357622968839299e-14, rtol: 1e-14))
        #expect(softplus(Float(200)) == 200 && sigmoid(Float(-200)) == 0 && sigmoid(Float(200)) == 1)
        #expect(abs(Double(softplus(Float(0))) - 0.6931471805599453) < 1e-7)
        let p = LogisticRegression<Double>(design: Matrix(rows: 2, columns: 1, [1, -1]), labels: [1, 1], lambda: 1, solveReference: false)
        let (f, g) = p.lossAndGradient([1e4])
        #expect(f.isFinite && g.allSatisfy(\.isFinite))
        #expect(isClose(f, (1e4 + 0) / 2 + 0.5e8, rtol: 1e-15))
        let q = LogisticRegression<Float>(design: Matrix(rows: 2, columns: 1, [1, -1]), labels: [1, 1], lambda: 1, solveReference: false)
        let (f32, g32) = q.lossAndGradient([1e4])
        #expect(f32.isFinite && g32.allSatisfy(\.isFinite))
    }

    @Test func withoutReferenceTheOptimumIsUnknown() throws {
        let p = try problem(["n=20", "d=3", "reference=false"])
        #expect(p.optimalValue == nil && p.reference == nil)
        #expect(property(p.properties, "F*") == nil && property(p.properties, "reference_gradient_norm") == nil)
    }

    @Test func coordinateGradientTracksCoordinateMoves() throws {
        let p = try problem(["n=60", "d=5", "init=gaussian"])
        let view = try #require(p.coordinates())
        var w = p.initialPoint(seed: 2)
        var rng = Xoshiro256(seed: 1)
        for step in 0..<40 {
            let j = rng.nextInt(below: 5)
            let full = p.lossAndGradient(w).1
            let partial = view.partial(w, j)
            #expect(isClose(partial, full[j], rtol: 1e-10, atol: 1e-13), "step \(step)")
            w[j] -= 2 * partial
        }
    }

    /// float32 holds the rounded float64 data and reports the float64 constants, Newton
    /// reference included.
    @Test func float32DataAreTheRoundedFloat64Data() throws {
        let settings = ["n=80", "d=5", "feature_scale=30"]
        let f64 = try problem(settings)
        let f32 = try concrete("logistic", settings + ["dtype=float32"], as: LogisticRegression<Float>.self)
        #expect(Array(f32.design.storage) == Array(f64.design.storage).map { Float($0) })
        #expect(f32.labels == f64.labels.map { Float($0) })
        #expect(f32.theory == f64.theory && f32.solution == f64.solution && f32.coordinateLipschitz == f64.coordinateLipschitz)
        #expect(f32.penalty == Float(f64.lambda))
        // Near the float64 optimum the float32 loss agrees to its precision.
        let w = try #require(f64.solution)
        #expect(isClose(f32.loss(w.map { Float($0) }), f64.optimalValue!, rtol: 1e-5))
    }
}
