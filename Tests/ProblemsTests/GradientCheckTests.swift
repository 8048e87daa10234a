import OptBenchCatalog
import OptBenchHarness
import OptBenchCore
import OptBenchKernels
import Testing
import TestSupport

@testable import OptBenchProblems

/// Small settings for one registered problem.
struct GradientCase: CustomTestStringConvertible, Sendable {
    let name: String
    let settings: [String]
    var testDescription: String { "\(name) \(settings.joined(separator: " "))" }
}

/// Every registry entry with small settings; a new problem fails `everyProblemHasAGradientCase`
/// until it is added here.
let gradientCases: [GradientCase] = [
    GradientCase(name: "rosenbrock", settings: []),
    GradientCase(name: "w7", settings: ["init=basin"]),
    GradientCase(name: "product", settings: ["depth=5", "spread=0.2"]),
    GradientCase(name: "least-squares", settings: ["n=30", "d=5", "noise=0.3"]),
    GradientCase(name: "least-squares", settings: ["n=70", "d=9", "kappa=1000", "spectrum=spiked", "spikes=3", "noise=0.1"]),
    GradientCase(name: "logistic", settings: ["n=40", "d=4", "flip=0.1"]),
    GradientCase(name: "logistic", settings: ["n=90", "d=7", "lambda=0.1", "feature_scale=20", "reference=false"]),
    GradientCase(name: "matrix-factorization", settings: ["m=6", "n=5", "rank=2", "rank_true=2", "noise=0.1"]),
    GradientCase(name: "deep-linear", settings: ["samples=12", "input=3", "output=2", "width=3", "depth=3", "noise=0.1"]),
    GradientCase(name: "resnet", settings: ["depth=8", "width=2", "samples=6", "test_samples=2", "classes=3"]),
    GradientCase(name: "resnet", settings: ["form=fully-connected", "width=4", "blocks=2", "samples=8", "test_samples=2", "classes=3", "activation=tanh"]),
    GradientCase(name: "mlp", settings: ["samples=10", "test_samples=3", "width=5", "depth=2", "classes=3", "activation=tanh"]),
]

/// The cases whose problem also comes in float32.
let float32Cases = gradientCases.filter { c in
    (try? Catalog.standard.problem(named: c.name))?.settings.contains { $0.name == "dtype" } == true
}

/// (1/|B|)Σ_{i∈B} fᵢ(w), computed without the problem's own gradient code: a problem holding
/// only those samples (same parameters), or a naive formula.
func batchObjective(_ p: AnyProblem<Double>, _ batch: [Int]) -> ([Double]) -> Double {
    switch p.base {
    case let ls as LeastSquares<Double>:
        let x = Matrix<Double>(rows: batch.count, columns: ls.dimension, batch.flatMap { Array(ls.design.row($0)) })
        let sub = LeastSquares<Double>(LeastSquaresData(design: x, targets: batch.map { ls.targets[$0] }))
        return { sub.loss($0) }
    case let lr as LogisticRegression<Double>:
        let x = Matrix<Double>(rows: batch.count, columns: lr.dimension, batch.flatMap { Array(lr.design.row($0)) })
        let sub = LogisticRegression<Double>(design: x, labels: batch.map { lr.labels[$0] }, lambda: lr.lambda, solveReference: false)
        return { sub.loss($0) }
    case let net as NetworkProblem<Double>:
        let t = net.train, size = t.featureCount
        let data = NetworkData<Double>(features: batch.flatMap { Array(t.features[($0 * size)..<(($0 + 1) * size)]) }, sampleShape: t.sampleShape,
                                       labels: batch.map { t.labels[$0] }, classes: t.classes)
        let sub = NetworkProblem<Double>(label: net.label, specs: net.specs, loss: net.loss, train: data, test: nil,
                                         initialization: net.initialization, activation: net.activation)
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
        let x = Matrix<Double>(rows: batch.count, columns: dl.widths.first!, batch.flatMap { Array(dl.inputs.row($0)) })
        let y = Matrix<Double>(rows: batch.count, columns: dl.widths.last!, batch.flatMap { Array(dl.outputs.row($0)) })
        let sub = DeepLinearNetwork(widths: dl.widths, inputs: x, outputs: y, optimalValue: nil)
        return { sub.loss($0) }
    default:
        precondition(p.sampleCount == 1, "\(p.label): no batch objective for a finite sum")
        let f = p.makeObjective()
        return { f.loss($0) }
    }
}

/// A seeded point near the problem's start, away from special points (w = 0 of a linear model).
func testPoint(_ p: AnyProblem<Double>) -> [Double] {
    var rng = Xoshiro256(seed: 99)
    return p.initialPoint(seed: 5).map { $0 + 0.1 * rng.nextGaussian() }
}

/// The batches every finite sum is checked on: one sample, repeats, everything.
func batches(_ n: Int) -> [[Int]] { [[0], [n - 1, 0, n / 2, n / 2], Array(0..<n)] }

/// |a − b| within 10⁻⁴ of b's scale, entrywise: a float32 evaluation against the float64 one.
func agreesToFloat32Precision(_ a: [Float], _ b: [Double]) -> (index: Int, ratio: Double) {
    let scale = b.reduce(0) { max($0, abs($1)) }
    return worstMismatch(a.map { Double($0) }, b, rtol: 1e-4, atol: 1e-4 * scale)
}

@Suite struct GradientCheckTests {
    static let networks: Set<String> = ["mlp", "resnet"]

    @Test func everyProblemHasAGradientCase() {
        for entry in Catalog.standard.problems {
            #expect(gradientCases.contains { $0.name == entry.name }, "add \(entry.name) to gradientCases")
        }
        #expect(Set(float32Cases.map(\.name)) == ["least-squares", "logistic", "mlp", "resnet"])
    }

    @Test(arguments: gradientCases)
    func fullGradientMatchesFiniteDifferences(_ c: GradientCase) throws {
        let p = try float64(c.name, c.settings), f = p.makeObjective()
        let w = testPoint(p)
        let (loss, g) = f.lossAndGradient(w)
        #expect(isClose(loss, f.loss(w), rtol: 1e-13))
        let fd = finiteDifferenceGradient({ f.loss($0) }, at: w)
        let worst = worstMismatch(g, fd, rtol: 1e-6, atol: 1e-8)
        #expect(worst.ratio <= 1, "\(p.label): component \(worst.index): \(g[max(0, worst.index)]) vs \(fd[max(0, worst.index)])")
    }

    @Test(arguments: gradientCases)
    func batchGradientMatchesFiniteDifferencesOfTheBatchObjective(_ c: GradientCase) throws {
        let p = try float64(c.name, c.settings), f = p.makeObjective()
        let w = testPoint(p)
        for batch in batches(p.sampleCount) {
            let fd = finiteDifferenceGradient(batchObjective(p, batch), at: w)
            let worst = worstMismatch(f.sampleGradient(w, samples: batch), fd, rtol: 1e-6, atol: 1e-8)
            #expect(worst.ratio <= 1, "\(p.label) batch \(batch): component \(worst.index)")
        }
    }

    /// The float32 problem at a float32 point against the float64 problem at the same point.
    @Test(arguments: float32Cases)
    func float32EvaluationsMatchFloat64(_ c: GradientCase) throws {
        let p64 = try float64(c.name, c.settings), p32 = try float32(c.name, c.settings)
        let f64 = p64.makeObjective(), f32 = p32.makeObjective()
        let w32 = testPoint(p64).map { Float($0) }, w = w32.map { Double($0) }
        let (loss32, g32) = f32.lossAndGradient(w32)
        let (loss64, g64) = f64.lossAndGradient(w)
        #expect(isClose(loss32, loss64, rtol: 1e-5), "\(p32.label): F = \(loss32) vs \(loss64)")
        #expect(isClose(f32.loss(w32), loss32, rtol: 1e-6))
        let worst = agreesToFloat32Precision(g32, g64)
        #expect(worst.ratio <= 1, "\(p32.label): component \(worst.index): \(g32[max(0, worst.index)]) vs \(g64[max(0, worst.index)])")
        for batch in batches(p64.sampleCount) {
            let b = agreesToFloat32Precision(f32.sampleGradient(w32, samples: batch), f64.sampleGradient(w, samples: batch))
            #expect(b.ratio <= 1, "\(p32.label) batch \(batch): component \(b.index)")
        }
        #expect(p32.theory == p64.theory && p32.dimension == p64.dimension && p32.sampleCount == p64.sampleCount)
        #expect(p32.initialPoint(seed: 4) == p64.initialPoint(seed: 4).map { Float($0) })
    }

    @Test(arguments: gradientCases)
    func coordinatePartialsMatchFiniteDifferences(_ c: GradientCase) throws {
        let p = try float64(c.name, c.settings), f = p.makeObjective()
        guard let view = f.coordinates() else { return }
        let w = testPoint(p)
        let fd = finiteDifferenceGradient({ f.loss($0) }, at: w)
        let g = f.lossAndGradient(w).1
        for j in (0..<p.dimension).reversed() {
            let partial = view.partial(w, j)
            #expect(isClose(partial, fd[j], rtol: 1e-6, atol: 1e-8), "\(p.label) coordinate \(j)")
            #expect(isClose(partial, g[j], rtol: 1e-10, atol: 1e-14), "\(p.label) coordinate \(j)")
        }
        if let l = view.lipschitzConstants { #expect(l.count == p.dimension && l.allSatisfy { $0.isFinite && $0 >= 0 }) }
    }

    @Test(arguments: float32Cases)
    func float32CoordinatePartialsMatchFloat64(_ c: GradientCase) throws {
        let p64 = try float64(c.name, c.settings), p32 = try float32(c.name, c.settings)
        guard p64.capabilities.contains(.coordinates) else { return }
        let v64 = try #require(p64.makeObjective().coordinates()), v32 = try #require(p32.makeObjective().coordinates())
        let w32 = testPoint(p64).map { Float($0) }, w = w32.map { Double($0) }
        let partials32 = (0..<p32.dimension).map { v32.partial(w32, $0) }
        let partials64 = (0..<p64.dimension).map { v64.partial(w, $0) }
        #expect(agreesToFloat32Precision(partials32, partials64).ratio <= 1, "\(p32.label)")
        #expect(v32.lipschitzConstants == v64.lipschitzConstants)
    }

    /// ∇fᵢ(w) = φᵢ′(xᵢᵀw)·xᵢ + λw for every sample, in both precisions.
    @Test(arguments: gradientCases)
    func linearModelDerivativeGivesTheSampleGradient(_ c: GradientCase) throws {
        func check<S: KernelScalar>(_ p: AnyProblem<S>, at w: [S], tolerance: Double) throws {
            let f = p.makeObjective()
            guard let view = f.linearModel() else { return }
            for i in 0..<p.sampleCount {
                let phi = view.derivative(w, i), x = Array(view.features(i))
                #expect(x.count == p.dimension)
                let viaView = (0..<p.dimension).map { Double(phi * x[$0] + view.l2Penalty * w[$0]) }
                let direct = f.sampleGradient(w, samples: [i]).map { Double($0) }
                #expect(isClose(viaView, direct, rtol: tolerance, atol: tolerance), "\(p.label) sample \(i)")
            }
        }
        let p64 = try float64(c.name, c.settings)
        let w = testPoint(p64)
        try check(p64, at: w, tolerance: 1e-13)
        if float32Cases.contains(where: { $0.testDescription == c.testDescription }) {
            try check(try float32(c.name, c.settings), at: w.map { Float($0) }, tolerance: 1e-5)
        }
    }

    @Test(arguments: gradientCases)
    func constructionIsDeterministic(_ c: GradientCase) throws {
        let a = try float64(c.name, c.settings), b = try float64(c.name, c.settings)
        let w = testPoint(a)
        #expect(a.makeObjective().loss(w) == b.makeObjective().loss(w))
        #expect(a.initialPoint(seed: 3) == b.initialPoint(seed: 3))
        #expect(a.theory == b.theory)
        if let fStar = a.optimalValue { #expect(fStar <= a.makeObjective().loss(w)) }
    }

    @Test func everySettingHasASummaryAndEveryEntryBuildsWithDefaults() throws {
        for entry in Catalog.standard.problems {
            #expect(!entry.summary.isEmpty)
            for s in entry.settings { #expect(!s.summary.isEmpty, "\(entry.name).\(s.name)") }
            #expect(entry.settings.contains { $0.name == "init" }, "\(entry.name) has no init setting")
            let p = try entry.make()
            // Networks train in float32 by default, everything else in float64.
            #expect(p.label == entry.name && p.precision == (Self.networks.contains(entry.name) ? .float32 : .float64))
            guard case .float64(let problem) = p else { continue }
            #expect(problem.initialPoint(seed: 0).count == p.dimension)
            // A constant that is not finite is never reported as known.
            #expect(p.properties.allSatisfy { $0.value.isFinite }, "\(entry.name)")
            for name in TheoryConstants.Name.allCases { #expect(p.theory[name]?.isNaN != true, "\(entry.name) \(name.rawValue)") }
        }
    }

    /// What each problem offers: a coordinate view only where a partial costs about 1/d of a
    /// gradient, a linear-model view only for fᵢ = φᵢ(xᵢᵀw) + (λ/2)‖w‖².
    @Test func viewsAreWhatEachProblemPromises() throws {
        let expected: [String: Capabilities] = [
            "rosenbrock": [.coordinates], "w7": [.coordinates], "product": [],
            "least-squares": [.linearModel, .coordinates, .coordinateLipschitz],
            "logistic": [.linearModel, .coordinates, .coordinateLipschitz],
            "matrix-factorization": [], "deep-linear": [], "mlp": [.layers], "resnet": [.layers],
        ]
        for entry in Catalog.standard.problems {
            #expect(try entry.make().capabilities == expected[entry.name], "\(entry.name)")
            if entry.settings.contains(where: { $0.name == "dtype" }) {
                #expect(try entry.make(["dtype=float32"]).capabilities == expected[entry.name], "\(entry.name) float32")
            }
        }
    }

    @Test func unknownPrecisionListsTheChoices() {
        #expect(configurationMessage { _ = try instance("logistic", ["dtype=float16"]) }
            == "problem 'logistic': dtype=float16 is not valid; expected one of float32, float64")
    }
}

/// The `init` setting of every problem: `zeros` is exact zeros, `gaussian` a seeded draw that
/// differs per seed, and each problem's default start is the one it documents.
@Suite struct InitialPointTests {
    static let entries = Catalog.standard.problems.map(\.name)

    func choices(_ name: String) throws -> [String] {
        let setting = try #require(try Catalog.standard.problem(named: name).settings.first { $0.name == "init" })
        guard case .choice(let words) = setting.kind else { Issue.record("\(name).init is not a choice"); return [] }
        return words
    }

    @Test(arguments: entries)
    func zerosAndGaussianAreOfferedAndBehave(name: String) throws {
        let words = try choices(name)
        #expect(words.contains("zeros") && words.contains("gaussian"), "\(name): \(words)")
        let zeros = try float64(name, ["init=zeros"])
        // Zeros everywhere but normalisation scales, which start at 1 (a network's BatchNorm γ).
        var expected = [Double](repeating: 0, count: zeros.dimension)
        for block in zeros.layout.blocks where block.role == .normScale { for i in block.range { expected[i] = 1 } }
        #expect(zeros.initialPoint(seed: 7) == expected)
        let gaussian = try float64(name, ["init=gaussian"])
        let a = gaussian.initialPoint(seed: 1), b = gaussian.initialPoint(seed: 2)
        #expect(a.count == gaussian.dimension && a.allSatisfy(\.isFinite))
        #expect(a == gaussian.initialPoint(seed: 1) && a != b)
        #expect(a.contains { $0 != 0 })
        if (try Catalog.standard.problem(named: name)).settings.contains(where: { $0.name == "dtype" }) {
            #expect(try float32(name, ["init=zeros"]).initialPoint(seed: 7) == expected.map { Float($0) })
            #expect(try float32(name, ["init=gaussian"]).initialPoint(seed: 1) == a.map { Float($0) })
        }
    }

    @Test(arguments: entries)
    func everyInitChoiceBuilds(name: String) throws {
        for word in try choices(name) where word != "x0" || name != "product" {
            let p = try float64(name, ["init=\(word)"])
            #expect(p.initialPoint(seed: 3).count == p.dimension, "\(name) init=\(word)")
        }
    }

    @Test func defaultStartsAreUnchanged() throws {
        #expect(try float64("least-squares").initialPoint(seed: 1) == [Double](repeating: 0, count: 50))
        #expect(try float64("logistic").initialPoint(seed: 1) == [Double](repeating: 0, count: 20))
        #expect(try float64("rosenbrock").initialPoint(seed: 1) == [-1.2, 1])
        #expect(try float64("w7").initialPoint(seed: 1) == [0.5])
        #expect(try float64("product").initialPoint(seed: 1) == [Double](repeating: 0.9, count: 7))
        // The networks keep their seeded Gaussian starts.
        let mf = try float64("matrix-factorization")
        #expect(mf.initialPoint(seed: 1) != mf.initialPoint(seed: 2))
        let dl = try float64("deep-linear")
        #expect(dl.initialPoint(seed: 1) != dl.initialPoint(seed: 2))
    }

    /// `init=gaussian` is w₀ ~ N(0, I/d): its empirical second moment over many coordinates is
    /// 1/d (4σ band), and its mean is near 0.
    @Test func gaussianStartHasVarianceOneOverD() {
        let d = 20_000
        let w: [Double] = gaussianStart(dimension: d, seed: 3)
        let m2 = w.reduce(0) { $0 + $1 * $1 }
        #expect(abs(m2 - 1) < 4 * (2 / Double(d)).squareRoot())
        #expect(abs(w.reduce(0, +)) < 4)
    }
}
