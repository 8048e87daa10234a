import Core
import Testing
import TestSupport
@testable import Problems

/// Gradient of every foundation problem against central differences of its own loss.
@Suite struct FoundationProblemGradients {
    static let cases: [(String, [String])] = [
        ("rosenbrock", []), ("rosenbrock", ["a=2", "b=10"]), ("w7", []), ("w7", ["p=3", "x0=1.3"]),
        ("least-squares", ["n=40", "d=7", "kappa=30"]), ("least-squares", ["n=9", "d=9", "noise=0.5", "spectrum=spiked", "spikes=2"]),
    ]

    @Test(arguments: cases.indices)
    func fullGradientMatchesFiniteDifferences(_ k: Int) throws {
        let (name, settings) = Self.cases[k]
        let problem = try ProblemRegistry.entry(named: name).make(settings)
        for seed: UInt64 in [1, 2] {
            let w = problem.initialPoint(seed: seed).map { $0 + 0.1 }
            let (f, g) = problem.lossAndGradient(w)
            #expect(isClose(f, problem.loss(w), rtol: 1e-14))
            let fd = finiteDifferenceGradient({ problem.loss($0) }, at: w)
            let worst = worstMismatch(g, fd, rtol: 1e-6, atol: 1e-7 * max(1, g.map(abs).max()!))
            #expect(worst.ratio <= 1, "\(problem.label): component \(worst.index): \(g[max(0, worst.index)]) vs \(fd[max(0, worst.index)])")
        }
    }

    @Test(arguments: cases.indices)
    func coordinateGradientIsTheGradientComponent(_ k: Int) throws {
        let (name, settings) = Self.cases[k]
        let problem = try ProblemRegistry.entry(named: name).make(settings)
        let w = problem.initialPoint(seed: 3).map { $0 - 0.05 }
        let fd = finiteDifferenceGradient({ problem.loss($0) }, at: w)
        for j in 0..<problem.dimension {
            let gj = w.withUnsafeBufferPointer { problem.coordinateGradient(at: $0, coordinate: j) }
            #expect(isClose(gj, fd[j], rtol: 1e-6, atol: 1e-7 * max(1, fd.map(abs).max()!)))
        }
    }
}

@Suite struct LeastSquaresSyntheticTests {
    /// The mean over a batch of ½(xᵢᵀw − yᵢ)², written from the data, differenced.
    @Test func miniBatchGradientMatchesFiniteDifferencesOfTheBatchLoss() throws {
        let p = LeastSquares.synthetic(n: 30, spectrum: prescribedSpectrum(d: 6, kappa: 20, lambdaMax: 2, layout: "geometric"), noise: 0.3, seed: 4)
        let batch = [3, 17, 17, 29, 0]
        func batchLoss(_ w: [Double]) -> Double {
            batch.reduce(0) { s, i in
                let r = (0..<6).reduce(0.0) { $0 + p.design[i, $1] * w[$1] } - p.targets[i]
                return s + 0.5 * r * r
            } / Double(batch.count)
        }
        let w = p.initialPoint(seed: 9)
        var g = [Double](repeating: .nan, count: 6)
        w.withUnsafeBufferPointer { wp in batch.withUnsafeBufferPointer { b in g.withUnsafeMutableBufferPointer { p.sampleGradient(at: wp, samples: b, into: $0) } } }
        #expect(isClose(g, finiteDifferenceGradient(batchLoss, at: w), rtol: 1e-6, atol: 1e-8))
        // The linear-model view gives the same per-sample gradient: φᵢ′(xᵢᵀw)·xᵢ.
        let r = w.withUnsafeBufferPointer { p.sampleDerivative(at: $0, sample: 17) }
        var g17 = [Double](repeating: 0, count: 6)
        w.withUnsafeBufferPointer { wp in [17].withUnsafeBufferPointer { b in g17.withUnsafeMutableBufferPointer { p.sampleGradient(at: wp, samples: b, into: $0) } } }
        #expect(isClose(g17, Array(p.features(ofSample: 17)).map { r * $0 }, rtol: 1e-13))
    }

    /// F* against the minimum of the normal equations XᵀXw = Xᵀy, solved by Gaussian elimination.
    @Test(arguments: [(60, 8, 0.5), (12, 12, 1.0), (200, 5, 0.01)])
    func optimalValueMatchesNormalEquations(n: Int, d: Int, noise: Double) throws {
        let p = LeastSquares.synthetic(n: n, spectrum: prescribedSpectrum(d: d, kappa: 50, lambdaMax: 1, layout: "linear"), noise: noise, seed: 7)
        var a = [[Double]](repeating: [Double](repeating: 0, count: d + 1), count: d)
        for i in 0..<n {
            for j in 0..<d {
                for k in 0..<d { a[j][k] += p.design[i, j] * p.design[i, k] }
                a[j][d] += p.design[i, j] * p.targets[i]
            }
        }
        let w = solveByElimination(a)
        let reference = p.loss(w)
        // n = d: X is square and invertible, so the targets are interpolated and F* = 0.
        #expect(n == d ? p.optimalValue! == 0 : p.optimalValue! > 0)
        // E[F*] = σ²(n − d)/(2n) (a χ² with n − d degrees of freedom); a 3-sigma band.
        if n > d {
            let expected = noise * noise * Double(n - d) / Double(2 * n)
            let band = 3 * (2 / Double(n - d)).squareRoot()
            #expect(abs(p.optimalValue! / expected - 1) < band, "F* = \(p.optimalValue!), E[F*] = \(expected)")
        }
        #expect(isClose(p.optimalValue!, reference, rtol: 1e-8, atol: 1e-20), "F* = \(p.optimalValue!) vs \(reference)")
    }

    @Test func realizableInstanceHasZeroOptimum() throws {
        let p = try LeastSquares.entry.make(["n=50", "d=10"])
        #expect(p.optimalValue == 0)
    }

    /// trace(H) = Σλ and ‖H‖²_F = Σλ², with H = XᵀX/n formed from the data.
    @Test(arguments: ["geometric", "linear", "spiked"])
    func hessianHasThePrescribedSpectrum(_ layout: String) throws {
        let n = 80, d = 9
        let spectrum = prescribedSpectrum(d: d, kappa: 1e3, lambdaMax: 4, layout: layout, spikes: 2)
        let p = LeastSquares.synthetic(n: n, spectrum: spectrum, noise: 0, seed: 5)
        var h = [Double](repeating: 0, count: d * d)
        for i in 0..<n { for j in 0..<d { for k in 0..<d { h[j * d + k] += p.design[i, j] * p.design[i, k] / Double(n) } } }
        let trace = (0..<d).reduce(0.0) { $0 + h[$1 * d + $1] }
        let frob = h.reduce(0.0) { $0 + $1 * $1 }
        #expect(isClose(trace, spectrum.reduce(0, +), rtol: 1e-12))
        #expect(isClose(frob, spectrum.reduce(0) { $0 + $1 * $1 }, rtol: 1e-12))
        let props = Dictionary(uniqueKeysWithValues: p.properties.map { ($0.name, $0.value) })
        #expect(isClose(props["kappa"]!, 1e3, rtol: 1e-12))
        #expect(isClose(props["kappa_D"]!, spectrum.reduce(0, +) / Double(d) / spectrum.last!, rtol: 1e-12))
    }

    @Test func rejectsMoreDimensionsThanSamples() {
        #expect(throws: ConfigurationError.self) { try LeastSquares.entry.make(["n=5", "d=6"]) }
    }

    @Test func sameSeedGivesBitIdenticalData() throws {
        let a = try LeastSquares.entry.make(["n=30", "d=4", "noise=1"]) as! LeastSquares
        let b = try LeastSquares.entry.make(["n=30", "d=4", "noise=1"]) as! LeastSquares
        let c = try LeastSquares.entry.make(["n=30", "d=4", "noise=1", "data_seed=1"]) as! LeastSquares
        #expect(Array(a.design.storage) == Array(b.design.storage) && a.targets == b.targets)
        #expect(a.targets != c.targets)
    }
}

@Suite struct ToyFunctionTests {
    @Test func rosenbrockClosedForms() {
        let r = Rosenbrock()
        #expect(r.loss([1, 1]) == 0)
        #expect(r.loss([-1.2, 1]) == 24.2 || isClose(r.loss([-1.2, 1]), 24.2, rtol: 1e-15))
        let (_, g) = r.lossAndGradient([1, 1])
        #expect(g == [0, 0])
    }

    @Test func w7HasTheSurveyShape() {
        let t = ToyPower()
        #expect(t.loss([1]) == 0)
        #expect(t.loss([0]) == 1)
        // F'(w) = 14w⁶(w⁷ − 1): tiny near 0 (vanishing), huge past 1 (exploding).
        #expect(abs(t.lossAndGradient([0.1]).1[0]) < 1e-4)
        #expect(isClose(t.lossAndGradient([2]).1[0], 14 * 64 * 127, rtol: 1e-15))
    }

    @Test func rejectsWrongStartLength() {
        #expect(throws: ConfigurationError.self) { try Rosenbrock.entry.make(["x0=1,2,3"]) }
        #expect(throws: ConfigurationError.self) { try ToyPower.entry.make(["x0=1,2"]) }
    }
}

/// Solves the augmented system [A | b] by Gaussian elimination with partial pivoting.
func solveByElimination(_ augmented: [[Double]]) -> [Double] {
    var a = augmented
    let d = a.count
    for c in 0..<d {
        let p = (c..<d).max { abs(a[$0][c]) < abs(a[$1][c]) }!
        a.swapAt(c, p)
        for r in (c + 1)..<d {
            let f = a[r][c] / a[c][c]
            for k in c...d { a[r][k] -= f * a[c][k] }
        }
    }
    var x = [Double](repeating: 0, count: d)
    for r in stride(from: d - 1, through: 0, by: -1) {
        x[r] = (a[r][d] - ((r + 1)..<d).reduce(0.0) { $0 + a[r][$1] * x[$1] }) / a[r][r]
    }
    return x
}
