import Core
import Kernels
import Testing
import TestSupport

@testable import Problems

@Suite struct LogisticRegressionTests {
    func problem(_ settings: [String] = ["n=200", "d=6"]) throws -> LogisticRegression {
        try #require(try ProblemRegistry.entry(named: "logistic").make(settings) as? LogisticRegression)
    }

    @Test(arguments: [["n=200", "d=6"], ["n=50", "d=10", "separation=20", "lambda=1e-4"], ["n=300", "d=3", "flip=0.3"]])
    func referenceSolutionIsStationaryAndMinimal(settings: [String]) throws {
        let p = try problem(settings)
        let w = try #require(p.solution)
        let fStar = try #require(p.optimalValue)
        let (f, g) = p.lossAndGradient(w)
        #expect(f == fStar)
        #expect(nrm2(g.count, g) <= 1e-12 * max(1, nrm2(g.count, p.lossAndGradient([Double](repeating: 0, count: p.dimension)).1)))
        var rng = Xoshiro256(seed: 7)
        for radius in [1e-4, 1e-2, 1] {
            for _ in 0..<10 {
                let v = w.map { $0 + radius * rng.nextGaussian() }
                #expect(p.loss(v) >= fStar)
            }
        }
    }

    @Test func sampleDerivativeGivesTheSampleGradient() throws {
        let p = try problem()
        let w = p.initialPoint(seed: 3)
        for i in [0, 17, 199] {
            let phi = w.withUnsafeBufferPointer { p.sampleDerivative(at: $0, sample: i) }
            let x = Array(p.features(ofSample: i))
            let expected = (0..<p.dimension).map { phi * x[$0] + p.l2Penalty * w[$0] }
            var g = [Double](repeating: 0, count: p.dimension)
            w.withUnsafeBufferPointer { wp in [i].withUnsafeBufferPointer { s in g.withUnsafeMutableBufferPointer { p.sampleGradient(at: wp, samples: s, into: $0) } } }
            #expect(isClose(g, expected, rtol: 1e-13, atol: 1e-15))
        }
    }

    @Test func extremeMarginsStayFinite() {
        #expect(softplus(1000) == 1000)
        #expect(softplus(-1000) == 0)
        #expect(isClose(softplus(0), 0.6931471805599453, rtol: 1e-15))
        #expect(sigmoid(-1000) == 0 && sigmoid(1000) == 1)
        #expect(isClose(sigmoid(-30), 9.357622968839299e-14, rtol: 1e-14))
        let p = LogisticRegression(design: Matrix(rows: 2, columns: 1, [1, -1]), labels: [1, 1], lambda: 1, solveReference: false)
        let (f, g) = p.lossAndGradient([1e4])
        #expect(f.isFinite && g.allSatisfy(\.isFinite))
        #expect(isClose(f, (1e4 + 0) / 2 + 0.5e8, rtol: 1e-15))
    }

    @Test func withoutReferenceTheOptimumIsUnknown() throws {
        #expect(try problem(["n=20", "d=3", "reference=false"]).optimalValue == nil)
    }

    @Test func coordinateGradientTracksCoordinateMoves() throws {
        let p = try problem(["n=60", "d=5"])
        var w = p.initialPoint(seed: 2)
        var rng = Xoshiro256(seed: 1)
        for step in 0..<40 {
            let j = rng.nextInt(below: 5)
            let full = p.lossAndGradient(w).1
            let partial = w.withUnsafeBufferPointer { p.coordinateGradient(at: $0, coordinate: j) }
            #expect(isClose(partial, full[j], rtol: 1e-10, atol: 1e-13), "step \(step)")
            w[j] -= 2 * partial
        }
    }
}
