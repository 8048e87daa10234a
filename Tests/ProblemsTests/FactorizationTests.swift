import OptBenchCore
import OptBenchKernels
import OptBenchLinearAlgebra
import Testing
import TestSupport

@testable import OptBenchProblems

@Suite struct MatrixFactorizationTests {
    /// Eigen-decomposition of YᵀY: σ² and V, independent of the construction's SVD.
    func gramSpectrum(_ p: MatrixFactorization) -> SymmetricEigen {
        let m = p.rows, n = p.columns
        var g = [Double](repeating: 0, count: n * n)
        for i in 0..<m { for a in 0..<n { for b in 0..<n { g[a * n + b] += p.target[i, a] * p.target[i, b] } } }
        return SymmetricEigen(symmetric: g, dimension: n, computeVectors: true)
    }

    @Test(arguments: [["m=8", "n=6", "rank=2", "rank_true=3", "noise=0"], ["m=7", "n=9", "rank=3", "rank_true=2", "noise=0.5"],
                      ["m=10", "n=10", "rank=2", "rank_true=4", "noise=0.2"]])
    func optimalValueIsEckartYoung(settings: [String]) throws {
        let p = try concrete("matrix-factorization", settings, as: MatrixFactorization.self)
        let e = gramSpectrum(p)
        let k = min(p.rows, p.columns)
        let sigma2 = e.eigenvalues.prefix(k).map { max(0, $0) }
        #expect(isClose(sigma2, p.singularValues.map { $0 * $0 }, rtol: 0, atol: 1e-10 * sigma2[0]))
        let expected = sigma2.dropFirst(p.rank).reduce(0, +) / Double(2 * p.rows * p.columns)
        #expect(isClose(p.optimalValue!, expected, rtol: 1e-9, atol: 1e-12))
        #expect(property(p.properties, "F*") == p.optimalValue && property(p.properties, "columns") == Double(p.columns))
        // F* is attained: W₁ = V_rᵀ, W₂ = Y·V_r.
        let (m, n, r) = (p.rows, p.columns, p.rank)
        var w = [Double](repeating: 0, count: p.dimension)
        for c in 0..<r {
            let v = Array(e.eigenvector(c))
            for j in 0..<n { w[c * n + j] = v[j] }
            for i in 0..<m { w[r * n + i * r + c] = (0..<n).reduce(0.0) { $0 + p.target[i, $1] * v[$1] } }
        }
        #expect(isClose(p.loss(w), p.optimalValue!, rtol: 1e-9, atol: 1e-13))
        #expect(p.lossAndGradient(w).1.allSatisfy { abs($0) < 1e-9 })
    }

    @Test func ranksAboveMinimumDimensionAreRejected() {
        let message = configurationMessage { _ = try instance("matrix-factorization", ["m=4", "n=3", "rank=4"]) }
        #expect(message?.contains("must not exceed min(m, n) = 3") == true)
    }

    @Test func zeroStartIsASaddle() throws {
        let p = try concrete("matrix-factorization", ["init=zeros"], as: MatrixFactorization.self)
        let w = p.initialPoint(seed: 3)
        #expect(w.allSatisfy { $0 == 0 } && w.count == p.dimension)
        #expect(p.lossAndGradient(w).1.allSatisfy { $0 == 0 })
    }
}

@Suite struct DeepLinearNetworkTests {
    func make(_ settings: [String]) throws -> DeepLinearNetwork {
        try concrete("deep-linear", settings, as: DeepLinearNetwork.self)
    }

    @Test func realizableOptimumIsZeroAndAttained() throws {
        let p = try make(["samples=20", "input=3", "output=3", "width=4", "depth=2"])
        #expect(p.optimalValue == 0)
        // W₂W₁ = A is reachable: recover A by least squares and factor it as A·I.
        let (n, d) = (20, 3)
        var a = [Double](repeating: 0, count: d * d)
        for out in 0..<d {
            var gram = [Double](repeating: 0, count: d * d), rhs = [Double](repeating: 0, count: d)
            for i in 0..<n { for j in 0..<d {
                rhs[j] += p.inputs[i, j] * p.outputs[i, out]
                for k in 0..<d { gram[j * d + k] += p.inputs[i, j] * p.inputs[i, k] }
            } }
            let row = gaussianEliminationSolve(gram, rhs)
            for j in 0..<d { a[out * d + j] = row[j] }
        }
        var w = [Double](repeating: 0, count: p.dimension)  // W₁ = [I; 0] (4×3), W₂ = [A 0] (3×4)
        for j in 0..<3 { w[j * 3 + j] = 1 }
        for out in 0..<3 { for j in 0..<3 { w[12 + out * 4 + j] = a[out * 3 + j] } }
        #expect(p.loss(w) < 1e-25)
    }

    @Test func noisyFullWidthOptimumIsLinearRegression() throws {
        let p = try make(["samples=25", "input=4", "output=2", "width=5", "depth=3", "noise=0.3"])
        let (n, d, o) = (25, 4, 2)
        var misfit = 0.0
        var gram = [Double](repeating: 0, count: d * d)
        for i in 0..<n { for j in 0..<d { for k in 0..<d { gram[j * d + k] += p.inputs[i, j] * p.inputs[i, k] } } }
        for out in 0..<o {
            var rhs = [Double](repeating: 0, count: d)
            for i in 0..<n { for j in 0..<d { rhs[j] += p.inputs[i, j] * p.outputs[i, out] } }
            let b = gaussianEliminationSolve(gram, rhs)
            for i in 0..<n {
                let r = p.outputs[i, out] - (0..<d).reduce(0.0) { $0 + b[$1] * p.inputs[i, $1] }
                misfit += r * r
            }
        }
        #expect(isClose(p.optimalValue!, misfit / (2 * Double(n)), rtol: 1e-10))
        #expect(p.optimalValue! > 0)
    }

    /// Widths 4 → 1 → o: the best rank-1 map, with fewer outputs than samples (the reference
    /// takes ŶᵀŶ) and with more (it takes the N×N ŶŶᵀ); the test forms the o×o matrix either way.
    @Test(arguments: [(30, 3), (6, 10)])
    func bottleneckOptimumIsAttainedByTruncatedRegression(_ n: Int, _ o: Int) throws {
        let p = try make(["samples=\(n)", "widths=4,1,\(o)", "noise=0.2"])
        let d = 4
        var gram = [Double](repeating: 0, count: d * d)
        for i in 0..<n { for j in 0..<d { for k in 0..<d { gram[j * d + k] += p.inputs[i, j] * p.inputs[i, k] } } }
        var b = [Double](repeating: 0, count: o * d)
        for out in 0..<o {
            var rhs = [Double](repeating: 0, count: d)
            for i in 0..<n { for j in 0..<d { rhs[j] += p.inputs[i, j] * p.outputs[i, out] } }
            let row = gaussianEliminationSolve(gram, rhs)
            for j in 0..<d { b[out * d + j] = row[j] }
        }
        var outer = [Double](repeating: 0, count: o * o)  // ŶŶᵀ
        for i in 0..<n {
            let f = (0..<o).map { a in (0..<d).reduce(0.0) { $0 + b[a * d + $1] * p.inputs[i, $1] } }
            for a in 0..<o { for c in 0..<o { outer[a * o + c] += f[a] * f[c] } }
        }
        let u = Array(SymmetricEigen(symmetric: outer, dimension: o, computeVectors: true).eigenvector(0))
        // W₁ = uᵀB̂ (1×4), W₂ = u (3×1): the projection of the fit onto its top direction.
        var w = (0..<d).map { j in (0..<o).reduce(0.0) { $0 + u[$1] * b[$1 * d + j] } }
        w += u
        #expect(isClose(p.loss(w), p.optimalValue!, rtol: 1e-10))
        #expect(p.lossAndGradient(w).1.allSatisfy { abs($0) < 1e-10 })
        #expect(p.optimalValue! > (try make(["samples=\(n)", "widths=4,3,\(o)", "noise=0.2"])).optimalValue!)
    }

    /// With fewer samples than inputs XXᵀ is singular: F* is unknown, and no d₀×d₀ matrix is formed
    /// (d₀ = 100000 would take 80 GB).
    @Test func fewerSamplesThanInputsLeaveTheOptimumUnknown() throws {
        #expect(try make(["samples=3", "widths=5,1,2", "noise=0.2"]).optimalValue == nil)
        #expect(try make(["samples=10", "input=100000", "width=3"]).optimalValue == nil)
    }

    @Test func orthogonalInitHasOrthonormalRowsOrColumns() throws {
        let p = try make(["widths=3,5,2", "init=orthogonal", "init_scale=2"])
        let w = p.initialPoint(seed: 4)
        // W₁ is 5×3: orthonormal columns times 2; W₂ is 2×5: orthonormal rows times 2.
        for a in 0..<3 { for b in 0..<3 {
            let g = (0..<5).reduce(0.0) { $0 + w[$1 * 3 + a] * w[$1 * 3 + b] }
            #expect(abs(g - (a == b ? 4 : 0)) < 1e-12)
        } }
        for a in 0..<2 { for b in 0..<2 {
            let g = (0..<5).reduce(0.0) { $0 + w[15 + a * 5 + $1] * w[15 + b * 5 + $1] }
            #expect(abs(g - (a == b ? 4 : 0)) < 1e-12)
        } }
    }

    @Test func badWidthsAreRejected() {
        let message = configurationMessage { _ = try instance("deep-linear", ["widths=3"]) }
        #expect(message?.contains("expected at least two positive integers") == true)
    }

    @Test func zeroStartIsASaddle() throws {
        let p = try make(["init=zeros"])
        let w = p.initialPoint(seed: 1)
        #expect(w.allSatisfy { $0 == 0 })
        #expect(p.lossAndGradient(w).1.allSatisfy { $0 == 0 })
    }
}

@Suite struct StartRegionTests {
    @Test(arguments: [StartRegion.vanishing, .basin, .exploding, .zeros])
    func regionsSetEveryFactor(region: StartRegion) throws {
        let factor = region.factor!
        #expect(try float64("product", ["init=\(region.rawValue)"]).initialPoint(seed: 1) == [Double](repeating: factor, count: 7))
        #expect(try float64("w7", ["init=\(region.rawValue)"]).initialPoint(seed: 1) == [factor])
    }

    @Test func gradientMagnitudesShowTheRegions() throws {
        func gradientNorm(_ name: String, _ region: String) throws -> Double {
            let p = try float64(name, ["init=\(region)"])
            let g = p.makeObjective().lossAndGradient(p.initialPoint(seed: 0)).1
            return nrm2(g.count, g)
        }
        for name in ["w7", "product"] {
            let vanishing = try gradientNorm(name, "vanishing"), basin = try gradientNorm(name, "basin")
            let exploding = try gradientNorm(name, "exploding")
            #expect(vanishing < 1e-3, "\(name)")
            #expect(vanishing < basin / 100 && exploding > basin * 50, "\(name): \(vanishing) \(basin) \(exploding)")
        }
    }

    @Test func explicitStartNeedsMatchingLength() throws {
        #expect(try float64("w7").initialPoint(seed: 0) == [0.5])
        let p = try float64("product", ["depth=3", "init=x0", "x0=1,2,0.5"])
        #expect(p.initialPoint(seed: 0) == [1, 2, 0.5])
        #expect(p.makeObjective().loss([1, 2, 0.5]) == 0)
        let message = configurationMessage { _ = try instance("product", ["init=x0"]) }
        #expect(message == "problem 'product': x0 has 0 entries; expected 7 (or init=zeros|gaussian|vanishing|basin|exploding)")
    }

    @Test func x0BesideAnotherStartIsRefused() {
        let message = configurationMessage { _ = try instance("w7", ["init=basin", "x0=0.3"]) }
        #expect(message == "problem 'w7': x0 is given with init=basin; expected init=x0 with x0, or no x0")
    }

    @Test func unknownStartListsTheChoices() {
        let message = configurationMessage { _ = try instance("product", ["init=middle"]) }
        #expect(message == "problem 'product': init=middle is not valid; expected one of zeros, gaussian, x0, vanishing, basin, exploding")
    }

    @Test func productGradientAtAZeroFactor() throws {
        let p = try float64("product", ["depth=4"]).makeObjective()
        let (f, g) = p.lossAndGradient([0, 2, 3, 0.5])
        #expect(f == 0.5)
        #expect(g == [-3, 0, 0, 0])
    }
}
