import Core
import Foundation
import Kernels
import Testing
import TestSupport

@testable import Problems

/// F* = min ‖Xw − y‖²/(2n) from XᵀX w = Xᵀy solved by naive Gaussian elimination.
func naiveLeastSquaresOptimum(_ p: LeastSquares) -> Double {
    let n = p.sampleCount, d = p.dimension
    var a = [Double](repeating: 0, count: d * d), b = [Double](repeating: 0, count: d)
    for i in 0..<n {
        for j in 0..<d {
            b[j] += p.design[i, j] * p.targets[i]
            for k in 0..<d { a[j * d + k] += p.design[i, j] * p.design[i, k] }
        }
    }
    return p.loss(gaussianEliminationSolve(a, b))
}

func property(_ p: any Problem, _ name: String) -> Double? { p.properties.first { $0.name == name }?.value }

@Suite struct LeastSquaresTests {
    @Test(arguments: [(60, 8), (12, 12)])
    func noisyOptimalValueMatchesNormalEquations(n: Int, d: Int) throws {
        let p = try #require(try ProblemRegistry.entry(named: "least-squares")
            .make(["n=\(n)", "d=\(d)", "noise=0.5", "kappa=30"]) as? LeastSquares)
        let exact = try #require(p.optimalValue)
        #expect(isClose(exact, naiveLeastSquaresOptimum(p), rtol: 1e-9, atol: 1e-13))
        if n > d { #expect(exact > 0.01) } else { #expect(abs(exact) < 1e-20) }  // n = d interpolates
    }

    @Test func realizableOptimumIsZero() throws {
        let p = try #require(try ProblemRegistry.entry(named: "least-squares").make(["n=40", "d=6"]) as? LeastSquares)
        #expect(p.optimalValue == 0)
        #expect(abs(naiveLeastSquaresOptimum(p)) < 1e-20)
    }

    @Test(arguments: ["geometric", "linear", "spiked"])
    func propertiesMatchPrescribedSpectrum(layout: String) throws {
        let p = try ProblemRegistry.entry(named: "least-squares")
            .make(["n=50", "d=10", "kappa=1000", "lambda_max=4", "spectrum=\(layout)", "spikes=3"])
        let ls = try #require(p as? LeastSquares)
        let expected = prescribedSpectrum(d: 10, kappa: 1000, lambdaMax: 4, layout: layout, spikes: 3)
        // The realised H = XᵀX/n has exactly that spectrum.
        var h = [Double](repeating: 0, count: 100)
        for i in 0..<50 { for j in 0..<10 { for k in 0..<10 { h[j * 10 + k] += ls.design[i, j] * ls.design[i, k] / 50 } } }
        #expect(isClose(SymmetricEigen(symmetric: h, dimension: 10).eigenvalues, expected, rtol: 0, atol: 1e-12))
        let avg = expected.reduce(0, +) / 10
        #expect(property(p, "lambda_max") == 4)
        #expect(isClose(property(p, "lambda_min")!, 0.004, rtol: 1e-12))
        #expect(isClose(property(p, "kappa")!, 1000, rtol: 1e-12))
        #expect(isClose(property(p, "kappa_D")!, avg / 0.004, rtol: 1e-12))
        #expect(isClose(property(p, "lambda_max/lambda_avg")!, 4 / avg, rtol: 1e-12))
    }

    @Test func loadedDataGetsExactSpectrumAndOptimum() throws {
        let n = 30, d = 5
        var rng = Xoshiro256(seed: 4)
        let x = (0..<(n * d)).map { _ in rng.nextGaussian() }
        let y = (0..<n).map { _ in rng.nextGaussian() }
        let dir = try temporaryDirectory()
        let xPath = try write(idxDoubles(x, dims: [n, d]), "x.idx", in: dir)
        let yPath = try write(idxDoubles(y, dims: [n]), "y.idx", in: dir)
        let p = try #require(try ProblemRegistry.entry(named: "least-squares").make(["data=\(xPath)", "targets=\(yPath)"]) as? LeastSquares)
        #expect(p.sampleCount == n && p.dimension == d)
        #expect(isClose(p.optimalValue!, naiveLeastSquaresOptimum(p), rtol: 1e-10))
        var h = [Double](repeating: 0, count: d * d)
        for i in 0..<n { for j in 0..<d { for k in 0..<d { h[j * d + k] += x[i * d + j] * x[i * d + k] / Double(n) } } }
        let lambda = SymmetricEigen(symmetric: h, dimension: d).eigenvalues
        #expect(isClose(property(p, "lambda_max")!, lambda[0], rtol: 1e-12))
        #expect(isClose(property(p, "lambda_min")!, lambda[d - 1], rtol: 1e-10))
    }

    @Test func largeDataGetsLanczosBounds() throws {
        let (n, d) = (80, 12)
        var rng = Xoshiro256(seed: 2)
        let x = Matrix(rows: n, columns: d, (0..<(n * d)).map { _ in rng.nextGaussian() })
        let y = (0..<n).map { _ in rng.nextGaussian() }
        let exact = LeastSquares.fromData(design: x, targets: y, label: "exact")
        let bounds = LeastSquares.fromData(design: x, targets: y, label: "lanczos", exactLimit: 10)
        #expect(bounds.optimalValue == nil && bounds.spectrum == nil)
        for name in ["lambda_max", "lambda_min", "lambda_avg", "kappa"] {
            #expect(isClose(property(bounds, name)!, property(exact, name)!, rtol: 1e-7), "\(name)")
        }
    }

    @Test func mismatchedTargetsNameBothSizes() throws {
        let dir = try temporaryDirectory()
        let xPath = try write(idxDoubles([Double](repeating: 1, count: 1500 * 2), dims: [1500, 2]), "x.idx", in: dir)
        let yPath = try write(idxDoubles([Double](repeating: 1, count: 1499), dims: [1499]), "y.idx", in: dir)
        let message = configurationMessage { _ = try ProblemRegistry.entry(named: "least-squares").make(["data=\(xPath)", "targets=\(yPath)"]) }
        #expect(message?.contains("targets has 1499 entries; data (\(xPath), 1500×2 double) has 1500 rows") == true)
        let alone = configurationMessage { _ = try ProblemRegistry.entry(named: "least-squares").make(["data=\(xPath)"]) }
        #expect(alone?.contains("data and targets must be given together") == true)
    }

    @Test(.enabled(if: digitsAvailable, "needs the digits files in ../shared/data"))
    func digitsRegressionHasStationaryReferenceSolution() throws {
        let p = try #require(try ProblemRegistry.entry(named: "least-squares").make([
            "data=" + sharedDataDirectory.appendingPathComponent("digits-train-images-idx3-ubyte").path,
            "targets=" + sharedDataDirectory.appendingPathComponent("digits-train-labels-idx1-ubyte").path,
        ]) as? LeastSquares)
        #expect(p.dimension == 64 && p.sampleCount == 1500)
        let w = try #require(p.solution)
        let (f, g) = p.lossAndGradient(w)
        #expect(isClose(f, p.optimalValue!, rtol: 1e-14))
        let scale = property(p, "lambda_max")! * w.reduce(0) { max($0, abs($1)) }
        #expect(g.allSatisfy { abs($0) < 1e-9 * scale })
        // Constant-zero pixels make H singular: λmin is 0 up to rounding.
        #expect(property(p, "lambda_min")! < 1e-9 * property(p, "lambda_max")!)
    }

    @Test func coordinateGradientTracksCoordinateMoves() throws {
        let p = try ProblemRegistry.entry(named: "least-squares").make(["n=40", "d=7", "noise=1"])
        var w = p.initialPoint(seed: 1)
        var rng = Xoshiro256(seed: 9)
        for step in 0..<60 {
            let j = rng.nextInt(below: 7)
            let full = p.lossAndGradient(w).1
            let partial = w.withUnsafeBufferPointer { p.coordinateGradient(at: $0, coordinate: j) }
            #expect(isClose(partial, full[j], rtol: 1e-10, atol: 1e-12), "step \(step)")
            w[j] -= 0.3 * partial
            if step % 17 == 0 { w = w.map { $0 * 0.9 } }  // a move of every coordinate
        }
    }
}
