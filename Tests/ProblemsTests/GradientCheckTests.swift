import Core
import Kernels
import Testing
import TestSupport

@testable import Problems

/// Small settings for every registered problem, and an independent objective of a batch.
struct GradientCase: CustomTestStringConvertible, Sendable {
    let name: String
    let settings: [String]
    var testDescription: String { name }
}

/// Every registry entry with small settings; a new problem fails `everyProblemHasAGradientCase`
/// until it is added here.
let gradientCases: [GradientCase] = [
    GradientCase(name: "rosenbrock", settings: []),
    GradientCase(name: "w7", settings: ["start=basin"]),
    GradientCase(name: "product", settings: ["depth=5", "spread=0.2"]),
    GradientCase(name: "least-squares", settings: ["n=30", "d=5", "noise=0.3"]),
    GradientCase(name: "logistic", settings: ["n=40", "d=4", "flip=0.1"]),
    GradientCase(name: "matrix-factorization", settings: ["m=6", "n=5", "rank=2", "rank_true=2", "noise=0.1"]),
    GradientCase(name: "deep-linear", settings: ["samples=12", "input=3", "output=2", "width=3", "depth=3", "noise=0.1"]),
]

/// (1/|B|)Σ_{i∈B} fᵢ(w), computed without the problem's own gradient code: a problem holding
/// only those samples (same parameters), or a naive formula.
func batchObjective(_ p: any Problem, _ batch: [Int]) -> ([Double]) -> Double {
    switch p {
    case let ls as LeastSquares:
        let x = Matrix(rows: batch.count, columns: ls.dimension, batch.flatMap { Array(ls.design.row($0)) })
        let sub = LeastSquares(design: x, targets: batch.map { ls.targets[$0] }, spectrum: nil, optimalValue: nil, label: "batch")
        return { sub.loss($0) }
    case let lr as LogisticRegression:
        let x = Matrix(rows: batch.count, columns: lr.dimension, batch.flatMap { Array(lr.design.row($0)) })
        let sub = LogisticRegression(design: x, labels: batch.map { lr.labels[$0] }, lambda: lr.lambda, solveReference: false)
        return { sub.loss($0) }
    case let mf as MatrixFactorization:
        let (n, r) = (mf.columns, mf.rank)
        return { w in
            var s = 0.0
            for i in batch {
                for j in 0..<n {
                    var p = -mf.target[i, j]
                    for k in 0..<r { p += w[r * n + i * r + k] * w[k * n + j] }
                    s += p * p
                }
            }
            return s / (2 * Double(n * batch.count))
        }
    case let dl as DeepLinearNetwork:
        let x = Matrix(rows: batch.count, columns: dl.widths.first!, batch.flatMap { Array(dl.inputs.row($0)) })
        let y = Matrix(rows: batch.count, columns: dl.widths.last!, batch.flatMap { Array(dl.outputs.row($0)) })
        let sub = DeepLinearNetwork(widths: dl.widths, inputs: x, outputs: y, optimalValue: nil)
        return { sub.loss($0) }
    default:
        precondition(p.sampleCount == 1, "\(p.label): no batch objective for a finite sum")
        return { p.loss($0) }
    }
}

func makeProblem(_ c: GradientCase) throws -> any Problem {
    try ProblemRegistry.entry(named: c.name).make(c.settings)
}

/// A seeded point near the problem's start, away from special points.
func testPoint(_ p: any Problem) -> [Double] {
    var rng = Xoshiro256(seed: 99)
    return p.initialPoint(seed: 5).map { $0 + 0.1 * rng.nextGaussian() }
}

@Suite struct GradientCheckTests {
    @Test func everyProblemHasAGradientCase() {
        for entry in ProblemRegistry.all {
            #expect(gradientCases.contains { $0.name == entry.name }, "add \(entry.name) to gradientCases")
        }
    }

    @Test(arguments: gradientCases)
    func fullGradientMatchesFiniteDifferences(_ c: GradientCase) throws {
        let p = try makeProblem(c)
        let w = testPoint(p)
        let (f, g) = p.lossAndGradient(w)
        #expect(isClose(f, p.loss(w), rtol: 1e-13))
        let fd = finiteDifferenceGradient({ p.loss($0) }, at: w)
        let worst = worstMismatch(g, fd, rtol: 1e-6, atol: 1e-8)
        #expect(worst.ratio <= 1, "\(p.label): component \(worst.index): \(g[max(0, worst.index)]) vs \(fd[max(0, worst.index)])")
    }

    @Test(arguments: gradientCases)
    func batchGradientMatchesFiniteDifferencesOfBatchObjective(_ c: GradientCase) throws {
        let p = try makeProblem(c)
        let w = testPoint(p)
        let n = p.sampleCount
        for batch in [[0], [n - 1, 0, n / 2, n / 2], Array(0..<n)] {
            var g = [Double](repeating: .nan, count: p.dimension)
            w.withUnsafeBufferPointer { wp in
                batch.withUnsafeBufferPointer { bp in g.withUnsafeMutableBufferPointer { p.sampleGradient(at: wp, samples: bp, into: $0) } }
            }
            let fd = finiteDifferenceGradient(batchObjective(p, batch), at: w)
            let worst = worstMismatch(g, fd, rtol: 1e-6, atol: 1e-8)
            #expect(worst.ratio <= 1, "\(p.label) batch \(batch): component \(worst.index)")
        }
    }

    @Test(arguments: gradientCases)
    func coordinateGradientsMatchFiniteDifferences(_ c: GradientCase) throws {
        let p = try makeProblem(c)
        let w = testPoint(p)
        let fd = finiteDifferenceGradient({ p.loss($0) }, at: w)
        for j in (0..<p.dimension).reversed() {
            let partial = w.withUnsafeBufferPointer { p.coordinateGradient(at: $0, coordinate: j) }
            #expect(isClose(partial, fd[j], rtol: 1e-6, atol: 1e-8), "\(p.label) coordinate \(j)")
        }
    }

    @Test(arguments: gradientCases)
    func constructionIsDeterministic(_ c: GradientCase) throws {
        let a = try makeProblem(c), b = try makeProblem(c)
        let w = testPoint(a)
        #expect(a.loss(w) == b.loss(w))
        #expect(a.initialPoint(seed: 3) == b.initialPoint(seed: 3))
        #expect(a.optimalValue == b.optimalValue)
        if let fStar = a.optimalValue { #expect(fStar <= a.loss(w)) }
    }

    @Test func everySettingHasASummaryAndEveryEntryBuildsWithDefaults() throws {
        for entry in ProblemRegistry.all {
            #expect(!entry.summary.isEmpty)
            for s in entry.settings { #expect(!s.summary.isEmpty, "\(entry.name).\(s.name)") }
            let p = try entry.make()
            #expect(p.label == entry.name)
            #expect(p.initialPoint(seed: 0).count == p.dimension)
        }
    }
}
