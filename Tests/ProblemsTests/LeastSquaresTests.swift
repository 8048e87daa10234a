import OptBenchCore
import Foundation
import OptBenchKernels
import OptBenchLinearAlgebra
import Testing
import TestSupport

@testable import OptBenchProblems

/// F* = min ‖Xw − y‖²/(2n) from XᵀX w = Xᵀy solved by naive Gaussian elimination.
func naiveLeastSquaresOptimum(_ p: LeastSquares<Double>) -> Double {
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

/// H = XᵀX/n by the triple loop.
func naiveHessian(_ x: [Double], n: Int, d: Int) -> [Double] {
    var h = [Double](repeating: 0, count: d * d)
    for i in 0..<n { for j in 0..<d { for k in 0..<d { h[j * d + k] += x[i * d + j] * x[i * d + k] / Double(n) } } }
    return h
}

func leastSquares(_ settings: [String]) throws -> LeastSquares<Double> {
    try concrete("least-squares", settings, as: LeastSquares<Double>.self)
}

/// The least-squares problem on data written to IDX files.
func loadedLeastSquares(_ x: [Double], rows n: Int, columns d: Int, targets y: [Double]) throws -> LeastSquares<Double> {
    let (xPath, yPath) = try IDXFixture.leastSquaresFiles(x, rows: n, columns: d, targets: y)
    return try leastSquares(["data=\(xPath)", "targets=\(yPath)"])
}

func gaussians(_ count: Int, seed: UInt64) -> [Double] {
    var rng = Xoshiro256(seed: seed)
    return (0..<count).map { _ in rng.nextGaussian() }
}

@Suite struct LeastSquaresSyntheticTests {
    @Test(arguments: [(60, 8), (12, 12)])
    func noisyOptimalValueMatchesNormalEquations(n: Int, d: Int) throws {
        let p = try leastSquares(["n=\(n)", "d=\(d)", "noise=0.5", "kappa=30"])
        let exact = try #require(p.theory.optimalValue)
        #expect(isClose(exact, naiveLeastSquaresOptimum(p), rtol: 1e-9, atol: 1e-13))
        if n > d { #expect(exact > 0.01) } else { #expect(abs(exact) < 1e-20) }  // n = d interpolates
    }

    @Test func realizableOptimumIsZero() throws {
        let p = try leastSquares(["n=40", "d=6"])
        #expect(p.theory.optimalValue == 0)
        #expect(abs(naiveLeastSquaresOptimum(p)) < 1e-20)
    }

    /// F* against the minimum of the normal equations XᵀXw = Xᵀy, and within a 3σ band of
    /// E[F*] = σ²(n − d)/(2n) (a χ² with n − d degrees of freedom).
    @Test(arguments: [(60, 8, 0.5), (12, 12, 1.0), (200, 5, 0.01)])
    func optimalValueMatchesNormalEquationsAndItsExpectation(n: Int, d: Int, noise: Double) throws {
        let p = LeastSquares<Double>.synthetic(
            n: n, spectrum: prescribedSpectrum(d: d, kappa: 50, lambdaMax: 1, layout: .linear), noise: noise, seed: 7)
        let fStar = try #require(p.optimalValue)
        #expect(n == d ? fStar == 0 : fStar > 0)
        if n > d {
            let expected = noise * noise * Double(n - d) / Double(2 * n)
            let band = 3 * (2 / Double(n - d)).squareRoot()
            #expect(abs(fStar / expected - 1) < band, "F* = \(fStar), E[F*] = \(expected)")
        }
        #expect(isClose(fStar, naiveLeastSquaresOptimum(p), rtol: 1e-8, atol: 1e-20))
    }

    /// The realised H = XᵀX/n has exactly the prescribed spectrum (eigenvalues, trace and
    /// Frobenius norm from the data), and the theory constants are read off it.
    @Test(arguments: SpectrumLayout.allCases)
    func theoryConstantsMatchThePrescribedSpectrum(layout: SpectrumLayout) throws {
        let p = try leastSquares(["n=50", "d=10", "kappa=1000", "lambda_max=4", "spectrum=\(layout.rawValue)", "spikes=3"])
        let expected = prescribedSpectrum(d: 10, kappa: 1000, lambdaMax: 4, layout: layout, spikes: 3)
        let h = naiveHessian(Array(p.design.storage), n: 50, d: 10)
        #expect(isClose(SymmetricEigen(symmetric: h, dimension: 10).eigenvalues, expected, rtol: 0, atol: 1e-12))
        #expect(isClose((0..<10).reduce(0.0) { $0 + h[$1 * 11] }, expected.reduce(0, +), rtol: 1e-12))
        #expect(isClose(h.reduce(0.0) { $0 + $1 * $1 }, expected.reduce(0) { $0 + $1 * $1 }, rtol: 1e-12))
        let t = p.theory, avg = expected.reduce(0, +) / 10
        #expect(t.smoothness == 4 && t.lambdaMax == 4)
        #expect(t.strongConvexity == t.lambdaMin && isClose(t.lambdaMin!, 0.004, rtol: 1e-12))
        #expect(isClose(t.lambdaAverage!, avg, rtol: 1e-12))
        #expect(isClose(t[.conditionNumber]!, 1000, rtol: 1e-12))
        #expect(isClose(t[.averageConditionNumber]!, avg / 0.004, rtol: 1e-12))
        #expect(isClose(t[.spectralRatio]!, 4 / avg, rtol: 1e-12))
        let rows = (0..<50).map { i in (0..<10).reduce(0.0) { $0 + p.design[i, $1] * p.design[i, $1] } }
        #expect(isClose(t.maxSampleSmoothness!, rows.max()!, rtol: 1e-13))
        #expect(t.sampleCount == 50 && t.dimension == 10 && t.optimalValue == 0)
        // Tables read the same values by name, with the names the harness expects.
        let props = p.properties
        for name in TheoryConstants.Name.allCases { #expect(property(props, name.rawValue) == t[name], "\(name.rawValue)") }
        #expect(props.map(\.name) == ["n", "d", "L", "mu", "L_max", "lambda_max", "lambda_min", "lambda_avg", "kappa", "kappa_D",
                                      "lambda_max/lambda_avg", "F*"])
    }

    @Test func rejectsMoreDimensionsThanSamples() {
        #expect(configurationMessage { _ = try instance("least-squares", ["n=5", "d=6"]) }
            == "problem 'least-squares': d=6 exceeds n=5; expected d ≤ n so that H is positive definite")
    }

    @Test func unknownSpectrumLayoutListsTheChoices() {
        let message = configurationMessage { _ = try instance("least-squares", ["spectrum=flat"]) }
        #expect(message == "problem 'least-squares': spectrum=flat is not valid; expected one of geometric, linear, spiked")
    }

    @Test func sameSeedGivesBitIdenticalData() throws {
        let a = try leastSquares(["n=30", "d=4", "noise=1"]), b = try leastSquares(["n=30", "d=4", "noise=1"])
        let c = try leastSquares(["n=30", "d=4", "noise=1", "data_seed=1"])
        #expect(Array(a.design.storage) == Array(b.design.storage) && a.targets == b.targets)
        #expect(a.targets != c.targets)
    }

    /// The mean over a batch of ½(xᵢᵀw − yᵢ)², written from the data, differenced.
    @Test func miniBatchGradientMatchesFiniteDifferencesOfTheBatchLoss() throws {
        let p = LeastSquares<Double>.synthetic(
            n: 30, spectrum: prescribedSpectrum(d: 6, kappa: 20, lambdaMax: 2, layout: .geometric), noise: 0.3, seed: 4,
            initialization: .gaussian)
        let batch = [3, 17, 17, 29, 0]
        func batchLoss(_ w: [Double]) -> Double {
            batch.reduce(0) { s, i in
                let r = (0..<6).reduce(0.0) { $0 + p.design[i, $1] * w[$1] } - p.targets[i]
                return s + 0.5 * r * r
            } / Double(batch.count)
        }
        let w = p.initialPoint(seed: 9)
        #expect(isClose(p.sampleGradient(w, samples: batch), finiteDifferenceGradient(batchLoss, at: w), rtol: 1e-6, atol: 1e-8))
        // The linear-model view gives the same per-sample gradient: φᵢ′(xᵢᵀw)·xᵢ.
        let view = try #require(p.linearModel())
        let r = view.derivative(w, 17)
        #expect(isClose(p.sampleGradient(w, samples: [17]), Array(view.features(17)).map { r * $0 }, rtol: 1e-13))
        #expect(view.l2Penalty == 0)
    }

    @Test func coordinatePartialTracksCoordinateMoves() throws {
        let p = try leastSquares(["n=40", "d=7", "noise=1", "init=gaussian"])
        let view = try #require(p.coordinates())
        var w = p.initialPoint(seed: 1)
        var rng = Xoshiro256(seed: 9)
        for step in 0..<60 {
            let j = rng.nextInt(below: 7)
            let full = p.lossAndGradient(w).1
            let partial = view.partial(w, j)
            #expect(isClose(partial, full[j], rtol: 1e-10, atol: 1e-12), "step \(step)")
            w[j] -= 0.3 * partial
            if step % 17 == 0 { w = w.map { $0 * 0.9 } }  // a move of every coordinate
        }
    }

    /// float32 holds the float64 data rounded entry by entry, and the same constants.
    @Test func float32DataAreTheRoundedFloat64Data() throws {
        let settings = ["n=40", "d=6", "noise=0.3", "kappa=50"]
        let f64 = try leastSquares(settings)
        let f32 = try concrete("least-squares", settings + ["dtype=float32"], as: LeastSquares<Float>.self)
        #expect(Array(f32.design.storage) == Array(f64.design.storage).map { Float($0) })
        #expect(f32.targets == f64.targets.map { Float($0) })
        #expect(f32.theory == f64.theory && f32.spectrum == f64.spectrum)
        #expect(f32.coordinateLipschitz == f64.coordinateLipschitz)
        #expect(f32.label == "least-squares(n=40 d=6 kappa=50 noise=0.3 dtype=float32)")
    }
}

@Suite struct LeastSquaresLoadedDataTests {
    @Test func loadedDataGetExactSpectrumAndOptimum() throws {
        let n = 30, d = 5
        let x = gaussians(n * d, seed: 4), y = gaussians(n, seed: 5)
        let p = try loadedLeastSquares(x, rows: n, columns: d, targets: y)
        #expect(p.sampleCount == n && p.dimension == d)
        #expect(isClose(p.optimalValue!, naiveLeastSquaresOptimum(p), rtol: 1e-10))
        let lambda = SymmetricEigen(symmetric: naiveHessian(x, n: n, d: d), dimension: d).eigenvalues
        #expect(isClose(p.theory.lambdaMax!, lambda[0], rtol: 1e-12))
        #expect(isClose(p.theory.lambdaMin!, lambda[d - 1], rtol: 1e-10))
        #expect(isClose(p.theory.smoothness!, lambda[0], rtol: 1e-12))
    }

    @Test func largeDataGetLanczosBounds() throws {
        let (n, d) = (80, 12)
        let x = Matrix<Double>(rows: n, columns: d, gaussians(n * d, seed: 2))
        let y = gaussians(n, seed: 3)
        let exact = try LeastSquaresData.fromData(design: x, targets: y)
        let bounds = try LeastSquaresData.fromData(design: x, targets: y, exactLimit: 10)
        #expect(bounds.theory.optimalValue == nil && bounds.spectrum == nil && bounds.solution == nil)
        for name: TheoryConstants.Name in [.lambdaMax, .lambdaMin, .lambdaAverage, .conditionNumber] {
            #expect(isClose(bounds.theory[name]!, exact.theory[name]!, rtol: 1e-7), "\(name.rawValue)")
        }
    }

    @Test func mismatchedTargetsNameBothSizes() throws {
        let dir = try IDXFixture.temporaryDirectory()
        let xPath = try IDXFixture.write(IDXFixture.doubles([Double](repeating: 1, count: 1500 * 2), dims: [1500, 2]), "x.idx", in: dir)
        let yPath = try IDXFixture.write(IDXFixture.doubles([Double](repeating: 1, count: 1499), dims: [1499]), "y.idx", in: dir)
        let message = configurationMessage { _ = try instance("least-squares", ["data=\(xPath)", "targets=\(yPath)"]) }
        #expect(message == "file \(yPath): targets has 1499 entries; data (\(xPath), 1500×2 double) has 1500 rows")
        let alone = configurationMessage { _ = try instance("least-squares", ["data=\(xPath)"]) }
        #expect(alone == "problem 'least-squares': data and targets must be given together; got only data")
    }

    @Test(arguments: ["n=100", "d=3", "kappa=10", "lambda_max=2", "spectrum=linear", "spikes=2", "noise=0.1", "data_seed=4"])
    func syntheticSettingsBesideDataAreRefused(setting: String) throws {
        let (xPath, yPath) = try IDXFixture.leastSquaresFiles([1, 2, 3, 4], rows: 2, columns: 2, targets: [1, 0])
        let message = configurationMessage { _ = try instance("least-squares", ["data=\(xPath)", "targets=\(yPath)", setting]) }
        #expect(message == "problem 'least-squares': \(setting) describes synthetic data and cannot be given with data=\(xPath); expected the loaded data alone")
    }

    @Test func designEntryWhoseSquareOverflowsIsRefusedByFileAndEntry() throws {
        var x = [Double](repeating: 1, count: 12)
        x[7] = 1e200  // row 2, column 1 of a 4×3 X
        let (xPath, yPath) = try IDXFixture.leastSquaresFiles(x, rows: 4, columns: 3, targets: [1, 2, 3, 4])
        let message = configurationMessage { _ = try instance("least-squares", ["data=\(xPath)", "targets=\(yPath)"]) }
        #expect(message == "file \(xPath): entry (2, 1) = 1e+200 is too large: its square overflows a Double; expected entries of magnitude below 1e154")
    }

    @Test func targetWhoseSquareOverflowsIsRefusedByFileAndEntry() throws {
        let (xPath, yPath) = try IDXFixture.leastSquaresFiles([1, 0, 0, 1, 1, 1], rows: 3, columns: 2, targets: [1, -1e160, 2])
        let message = configurationMessage { _ = try instance("least-squares", ["data=\(xPath)", "targets=\(yPath)"]) }
        #expect(message == "file \(yPath): entry 1 = -1e+160 is too large: its square overflows a Double; expected entries of magnitude below 1e154")
    }

    @Test func squaresSummingPastTheLargestDoubleAreRefused() throws {
        // Each square, 10³⁰⁶, is finite; 200 of them are not.
        var x = [Double](repeating: 1e153, count: 200)
        x[13] = -2e153
        let (xPath, yPath) = try IDXFixture.leastSquaresFiles(x, rows: 100, columns: 2, targets: [Double](repeating: 1, count: 100))
        let message = configurationMessage { _ = try instance("least-squares", ["data=\(xPath)", "targets=\(yPath)"]) }
        #expect(message == "file \(xPath): the squares of the entries sum past the largest Double (largest entry (6, 1) = -2e+153); expected a finite sum of squares, e.g. after rescaling")
    }

    @Test func nonFiniteEntryIsRefusedByFileAndElement() throws {
        let (xPath, yPath) = try IDXFixture.leastSquaresFiles([1, 2, .infinity, 4], rows: 2, columns: 2, targets: [1, 0])
        let message = configurationMessage { _ = try instance("least-squares", ["data=\(xPath)", "targets=\(yPath)"]) }
        #expect(message == "file \(xPath): element 2 is inf; expected finite values")
    }

    /// Entries near 10^±100 have finite squares, but H's squared entries do not: the analysis
    /// runs on data scaled by a power of two and gives the scaled constants of unit-scale data.
    @Test(arguments: [1e100, 1e-100])
    func farOutButSafeEntriesGiveTheScaledConstants(scale: Double) throws {
        let n = 20, d = 3
        let unitX = gaussians(n * d, seed: 8), unitY = gaussians(n, seed: 9)
        let p = try loadedLeastSquares(unitX.map { $0 * scale }, rows: n, columns: d, targets: unitY.map { $0 * scale })
        let unit = try LeastSquaresData.fromData(design: Matrix(rows: n, columns: d, unitX), targets: unitY)
        let s2 = scale * scale
        #expect(isClose(try #require(p.spectrum).map { $0 / s2 }, unit.spectrum!, rtol: 1e-12))
        #expect(isClose(p.theory.lambdaMax! / s2, unit.theory.lambdaMax!, rtol: 1e-12))
        #expect(isClose(p.optimalValue! / s2, unit.theory.optimalValue!, rtol: 1e-10))
        #expect(isClose(try #require(p.solution), unit.solution!, rtol: 1e-10))
        #expect(isClose(p.theory.maxSampleSmoothness! / s2, unit.theory.maxSampleSmoothness!, rtol: 1e-12))
    }

    /// n = 1 ≪ d: H = x xᵀ has λmax = ‖x‖², every other eigenvalue 0; w* = x·y/‖x‖² fits
    /// exactly. Loading takes the 1×1 side, so d = 20000 is immediate.
    @Test func oneSampleOfManyFeaturesLoadsOnTheSampleSide() throws {
        let d = 20_000
        let x = gaussians(d, seed: 11), y = [2.5]
        let p = try loadedLeastSquares(x, rows: 1, columns: d, targets: y)
        let norm2 = x.reduce(0) { $0 + $1 * $1 }
        #expect(isClose(p.theory.lambdaMax!, norm2, rtol: 1e-12))
        #expect(p.theory.lambdaMin == 0 && p.spectrum?.count == d && p.spectrum!.dropFirst().allSatisfy { $0 == 0 })
        #expect(isClose(p.theory.lambdaAverage!, norm2 / Double(d), rtol: 1e-12))
        #expect(isClose(try #require(p.solution), x.map { $0 * 2.5 / norm2 }, rtol: 1e-12))
        #expect(try #require(p.optimalValue) < 1e-28)
        // A singular H: κ = λmax/0 is not finite, so it is not known.
        #expect(p.theory[.conditionNumber]?.isFinite != true)
        #expect(property(p.properties, "kappa") == nil && property(p.properties, "mu") == 0)
        #expect(throws: ConfigurationError.self) { try p.theory.value(.conditionNumber, for: "test") }
    }

    /// n < d at full row rank: w* = Xᵀ(XXᵀ)⁻¹y (Gaussian elimination) interpolates, and the
    /// spectrum is that of the d×d H computed directly.
    @Test func wideDataGetTheMinimumNormInterpolant() throws {
        let n = 5, d = 12
        let x = gaussians(n * d, seed: 21), y = gaussians(n, seed: 22)
        let p = try loadedLeastSquares(x, rows: n, columns: d, targets: y)
        var k = [Double](repeating: 0, count: n * n)
        for a in 0..<n { for b in 0..<n { k[a * n + b] = (0..<d).reduce(0.0) { $0 + x[a * d + $1] * x[b * d + $1] } } }
        let alpha = gaussianEliminationSolve(k, y)
        let reference = (0..<d).map { j in (0..<n).reduce(0.0) { $0 + x[$1 * d + j] * alpha[$1] } }
        #expect(isClose(try #require(p.solution), reference, rtol: 1e-10, atol: 1e-13))
        #expect(abs(try #require(p.optimalValue)) < 1e-25)
        let lambda = SymmetricEigen(symmetric: naiveHessian(x, n: n, d: d), dimension: d).eigenvalues.map { max(0, $0) }
        #expect(isClose(try #require(p.spectrum), lambda, rtol: 0, atol: 1e-13 * lambda[0]))
        #expect(p.theory.lambdaMin == 0)
    }

    /// n < d with repeated rows: a pair of equal rows with targets a, b is fitted at (a + b)/2,
    /// so F* = Σ_pairs (a − b)²/(4n); the sample side agrees with the feature side's w*.
    @Test func rankDeficientWideDataAgreeWithTheFeatureSide() throws {
        let d = 9, distinct = gaussians(3 * d, seed: 31)
        let x = distinct + Array(distinct[0..<(2 * d)])  // rows 3, 4 repeat rows 0, 1
        let y = [1.0, -2, 0.5, 3, -1]
        let n = 5
        let p = try loadedLeastSquares(x, rows: n, columns: d, targets: y)
        let expected = ((y[0] - y[3]) * (y[0] - y[3]) + (y[1] - y[4]) * (y[1] - y[4])) / Double(4 * n)
        #expect(isClose(try #require(p.optimalValue), expected, rtol: 1e-10))
        let featureSide = LeastSquaresData.featureSideSolution(Matrix(rows: n, columns: d, x), y)
        #expect(isClose(try #require(p.solution), featureSide.solution, rtol: 1e-8, atol: 1e-12))
        #expect(isClose(try #require(p.spectrum), featureSide.spectrum, rtol: 0, atol: 1e-12 * featureSide.spectrum[0]))
    }

    @Test func wideDataAboveTheExactLimitGetLanczosBounds() throws {
        let n = 6, d = 40
        let x = Matrix<Double>(rows: n, columns: d, gaussians(n * d, seed: 41))
        let y = gaussians(n, seed: 42)
        let exact = try LeastSquaresData.fromData(design: x, targets: y)
        let bounds = try LeastSquaresData.fromData(design: x, targets: y, exactLimit: 5)
        #expect(bounds.theory.optimalValue == nil && bounds.theory.lambdaMin == 0)
        #expect(isClose(bounds.theory.lambdaMax!, exact.theory.lambdaMax!, rtol: 1e-8))
        #expect(isClose(bounds.theory.lambdaAverage!, exact.theory.lambdaAverage!, rtol: 1e-12))
    }

    @Test
    func digitsRegressionHasStationaryReferenceSolution() throws {
        let p = try leastSquares([
            "data=" + IDXFixture.digits("digits-train-images-idx3-ubyte"),
            "targets=" + IDXFixture.digits("digits-train-labels-idx1-ubyte"),
        ])
        #expect(p.dimension == 64 && p.sampleCount == 1500)
        let w = try #require(p.solution)
        let (f, g) = p.lossAndGradient(w)
        #expect(isClose(f, p.optimalValue!, rtol: 1e-14))
        let scale = p.theory.lambdaMax! * w.reduce(0) { max($0, abs($1)) }
        #expect(g.allSatisfy { abs($0) < 1e-9 * scale })
        // Constant-zero pixels make H singular: λmin is 0 up to rounding.
        #expect(p.theory.lambdaMin! < 1e-9 * p.theory.lambdaMax!)
    }
}
