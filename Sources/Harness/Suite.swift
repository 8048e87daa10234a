import OptBenchKernels
import OptBenchCore
import OptBenchOptimizers
import OptBenchProblems

/// A problem row of a suite: a registered name and its `key=value` settings.
public struct SuiteProblem: Sendable {
    public var name: String
    public var settings: [String]
    /// Series this instance belongs to (e.g. `kappa`), for slope fits across instances.
    public var series: [String]
    public init(_ name: String, _ settings: [String] = [], series: [String] = []) {
        self.name = name
        self.settings = settings
        self.series = series
    }
    public var entry: ProblemEntry { get throws { try ProblemRegistry.entry(named: name) } }
    public func make() throws -> ProblemInstance { try entry.make(settings) }
    /// `name(k=v …)`, as in tables.
    public var label: String { settings.isEmpty ? name : "\(name)(\(settings.joined(separator: " ")))" }
}

/// An optimizer column of a suite: a registered name, fixed hyper-parameters, parameter groups,
/// the learning rates to sweep (nil: the suite's sweep; empty: no sweep, the rule's own `lr`),
/// and other hyper-parameters swept with them (`sweeps`: the sweep is their product with the
/// learning rates, e.g. lr × momentum).
///
/// A column may instead take its hyper-parameters from theory: `prescribed` maps the
/// problem's theory constants (L, μ, L_max, κ, …) to `key=value` words, e.g. GD's lr = 1/L;
/// such a column is not swept, and a problem lacking a constant it needs gives a `skipped`
/// cell naming it. `complexity` names the epoch complexity theory predicts for it.
public struct SuiteOptimizer: Sendable {
    public var name: String
    public var hyperParameters: [String]
    /// `SELECTOR:KEY=VALUE` parameter-group overrides (torch's `param_groups`).
    public var groups: [String]
    public var learningRates: [Double]?
    /// Hyper-parameters swept besides lr; each point of the product sets them over `hyperParameters`.
    public var sweeps: [SweepAxis]
    public var complexity: Complexity?
    public var prescribed: (@Sendable (TheoryConstants) throws(ConfigurationError) -> [String])?
    /// Shown after the name in tables, e.g. `theory` for prescribed step sizes.
    public var tag: String?

    public init(_ name: String, _ hyperParameters: [String] = [], groups: [String] = [], learningRates: [Double]? = nil,
                sweeping sweeps: [SweepAxis] = [], complexity: Complexity? = nil, tag: String? = nil,
                prescribed: (@Sendable (TheoryConstants) throws(ConfigurationError) -> [String])? = nil) {
        self.name = name
        self.hyperParameters = hyperParameters
        self.groups = groups
        self.learningRates = prescribed == nil ? learningRates : []
        self.sweeps = prescribed == nil ? sweeps : []
        self.complexity = complexity
        self.tag = tag
        self.prescribed = prescribed
    }

    public var label: String {
        let words = hyperParameters + groups
        let base = words.isEmpty ? name : "\(name)(\(words.joined(separator: " ")))"
        return tag.map { "\(base)[\($0)]" } ?? base
    }

    /// The parsed parameter groups.
    public func parameterGroups() throws(ConfigurationError) -> [ParameterGroup] {
        var out: [ParameterGroup] = []
        for g in groups { out.append(try ParameterGroup(parsing: g)) }
        return ParameterGroup.merged(out)
    }

    /// The rule for a problem with `theory` at sweep point `point` (its lr and settings, when
    /// given, over the column's hyper-parameters), validated.
    public func make(_ point: SweepPoint = SweepPoint(lr: nil), theory: TheoryConstants) throws(ConfigurationError) -> ConfiguredOptimizer {
        let entry = try OptimizerRegistry.entry(named: name)
        return try entry.make(parameters(point, theory: theory), groups: parameterGroups())
    }

    /// The column's hyper-parameters at `point`: fixed words, prescribed values, then the point's.
    func parameters(_ point: SweepPoint, theory: TheoryConstants) throws(ConfigurationError) -> Parameters {
        let entry = try OptimizerRegistry.entry(named: name)
        var p = try entry.parameters(hyperParameters + (prescribed.map { f throws(ConfigurationError) in try f(theory) } ?? []))
        if let lr = point.lr { p = try p.setting("lr", .real(lr)) }
        for s in point.settings { p = try p.setting(s.name, s.value) }
        return p
    }
}

/// A benchmark grid: problems × optimizers × learning-rate sweep × seeds, one stopping rule.
public struct Suite: Sendable {
    public var name: String
    public var summary: String
    public var problems: [SuiteProblem]
    public var optimizers: [SuiteOptimizer]
    public var seeds: [UInt64]
    public var rule: StoppingRule
    public var learningRates: [Double]

    public init(name: String, summary: String, problems: [SuiteProblem], optimizers: [SuiteOptimizer],
                seeds: [UInt64], rule: StoppingRule, learningRates: [Double]) {
        self.name = name
        self.summary = summary
        self.problems = problems
        self.optimizers = optimizers
        self.seeds = seeds
        self.rule = rule
        self.learningRates = learningRates
    }

    /// The learning rates swept for optimizer column `j` before any extension (empty: no lr sweep).
    func learningRates(for j: Int) throws -> [Double] {
        let spec = optimizers[j]
        guard try OptimizerRegistry.entry(named: spec.name).hasLearningRate else { return [] }
        return spec.learningRates ?? learningRates
    }

    /// The points swept for optimizer column `j`: its other axes × its learning rates (a single
    /// point without lr when it sweeps nothing).
    func sweep(for j: Int) throws -> [SweepPoint] {
        let lrs = try learningRates(for: j)
        return SweepPoint.product(axes: optimizers[j].sweeps, learningRates: lrs.isEmpty ? [nil] : lrs)
    }
}

/// `perDecade` log-spaced values from 10^lowExponent to 10^highExponent inclusive.
public func logGrid(from lowExponent: Int, to highExponent: Int, perDecade: Int) -> [Double] {
    let count = (highExponent - lowExponent) * perDecade
    return (0...count).map { k in
        threeSignificantDigits(pow10(Double(lowExponent) + Double(k) / Double(perDecade)))
    }
}

/// The suites `optbench bench --suite NAME` runs; `default` is what `make bench` runs.
public enum Suites {
    public static var all: [Suite] { [defaultSuite, classical, smoke, nets, netsAccuracy, netsConv] }

    /// A few problems × optimizers in both precisions, for CI's regression gate against the
    /// committed `results/smoke` (`make smoke-check`); well under a minute.
    public static let smoke = Suite(
        name: "smoke",
        summary: "a few problems × optimizers (both precisions) for the regression gate in CI",
        problems: [
            SuiteProblem("rosenbrock"),
            SuiteProblem("w7"),
            SuiteProblem("least-squares", ["n=200", "d=20", "kappa=30", "noise=0.1"]),
            SuiteProblem("least-squares", ["n=200", "d=20", "kappa=30", "dtype=float32"]),
            SuiteProblem("logistic", ["n=200", "d=10"]),
        ],
        optimizers: [
            SuiteOptimizer("gd"),
            SuiteOptimizer("sgd", ["batch_size=10"]),
            SuiteOptimizer("nesterov"),
            SuiteOptimizer("saga"),
            SuiteOptimizer("rcd"),
            SuiteOptimizer("lbfgs", ["tolerance_grad=0"], learningRates: []),
        ],
        seeds: [1, 2, 3],
        rule: StoppingRule(target: 1e-5, maxEpochs: 300),
        learningRates: logGrid(from: -3, to: 0, perDecade: 2))

    /// The networks of `nets` and `nets-accuracy`, on 500 samples of the synthetic MNIST-shaped
    /// set (28×28, 10 classes) with 500 held-out ones: an MLP and the fully-connected residual
    /// net of the survey's eq. (19), z ← φ(W₁φ(W₂z) + z).
    static let networkProblems = [
        SuiteProblem("mlp", ["samples=500", "test_samples=500", "width=64", "depth=2"]),
        SuiteProblem("resnet", ["form=fully-connected", "width=64", "blocks=2", "samples=500", "test_samples=500"]),
    ]

    /// Every optimizer on the networks; stochastic rules take mini-batches of 64.
    static let networkOptimizers = [
        SuiteOptimizer("gd"),
        SuiteOptimizer("sgd", ["batch_size=64"]),
        SuiteOptimizer("momentum", ["batch_size=64"]),
        SuiteOptimizer("nesterov", ["batch_size=64"]),
        SuiteOptimizer("svrg"),
        SuiteOptimizer("saga"),
        SuiteOptimizer("rcd"),
        SuiteOptimizer("bb"),
        SuiteOptimizer("lbfgs", ["tolerance_grad=0"], learningRates: []),
        SuiteOptimizer("adagrad", ["batch_size=64"]),
        SuiteOptimizer("rmsprop", ["batch_size=64"]),
        SuiteOptimizer("adam", ["batch_size=64"]),
        SuiteOptimizer("amsgrad", ["batch_size=64"]),
        SuiteOptimizer("adamw", ["batch_size=64"]),
        SuiteOptimizer("nadam", ["batch_size=64"]),
        SuiteOptimizer("adadelta", ["batch_size=64"]),
        SuiteOptimizer("kfac", ["batch_size=64"]),
    ]

    /// The networks (`networkProblems`) under every optimizer: epochs to a training loss
    /// (F* is unknown), with train and test accuracy in the traces. Rules that need a
    /// linear-model or coordinate view are `skipped` with the reason.
    public static let nets = Suite(
        name: "nets",
        summary: "an MLP and an eq. (19) residual net on the synthetic MNIST-shaped set under every optimizer: epochs to training loss ≤ 0.1",
        problems: networkProblems,
        optimizers: networkOptimizers,
        seeds: [1, 2],
        rule: StoppingRule(target: 0.1, maxEpochs: 20, criterion: .loss),
        learningRates: logGrid(from: -4, to: 0, perDecade: 1))

    /// `nets` to a held-out accuracy instead: epochs until the test accuracy is ≥ 0.6, each
    /// optimizer tuned for that target.
    public static let netsAccuracy = Suite(
        name: "nets-accuracy",
        summary: "the networks of nets under every optimizer: epochs to test accuracy ≥ 0.6",
        problems: networkProblems,
        optimizers: networkOptimizers,
        seeds: [1, 2],
        rule: StoppingRule(target: 0.6, maxEpochs: 20, criterion: .metric("test_accuracy")),
        learningRates: logGrid(from: -4, to: 0, perDecade: 1))

    /// A convolutional ResNet-8 (3×3 convolutions, BatchNorm, projection shortcuts, global
    /// average pooling; widths 4, 8, 16) on 256 synthetic 28×28 images under every optimizer:
    /// epochs to training loss ≤ 0.5. Not in `make bench` for its cost. K-FAC preconditions the
    /// dense layer only (convolutions are not in the layer view); the rest take its plain step.
    public static let netsConv = Suite(
        name: "nets-conv",
        summary: "a convolutional ResNet-8 on 256 synthetic 28×28 images under every optimizer: epochs to training loss ≤ 0.5",
        problems: [SuiteProblem("resnet", ["depth=8", "width=4", "samples=256", "test_samples=256"])],
        optimizers: networkOptimizers,
        seeds: [1, 2],
        rule: StoppingRule(target: 0.5, maxEpochs: 15, criterion: .loss),
        learningRates: logGrid(from: -4, to: 0, perDecade: 1))

    public static func named(_ name: String) throws(ConfigurationError) -> Suite {
        guard let s = all.first(where: { $0.name == name }) else {
            throw ConfigurationError("unknown suite '\(name)'; valid suites: \(all.map(\.name).joined(separator: ", "))")
        }
        return s
    }

    /// The momentum μ swept with lr by the tuned heavy-ball and Nesterov columns: 1 − μ from
    /// 0.5 to 0.01, which brackets theory's μ for κ from 10 to 1000.
    public static let momentumSweep = SweepAxis("momentum", [0.5, 0.8, 0.9, 0.95, 0.99])

    /// The foundation's slice: the two toy functions and least squares (realizable and noisy)
    /// under GD, SGD (constant and decaying steps), heavy ball and Nesterov (lr × momentum).
    public static let defaultSuite = Suite(
        name: "default",
        summary: "toy functions and least squares under GD, SGD, heavy-ball and Nesterov momentum",
        problems: [
            SuiteProblem("rosenbrock"),
            SuiteProblem("w7"),
            SuiteProblem("least-squares", ["n=1000", "d=50", "kappa=100"]),
            SuiteProblem("least-squares", ["n=1000", "d=50", "kappa=100", "noise=0.1"]),
        ],
        optimizers: [
            SuiteOptimizer("gd"),
            SuiteOptimizer("sgd", ["batch_size=10"]),
            SuiteOptimizer("sgd", ["batch_size=10", "schedule=inverse-power", "power=1"]),
            SuiteOptimizer("momentum", sweeping: [momentumSweep]),
            SuiteOptimizer("nesterov", sweeping: [momentumSweep]),
        ],
        seeds: [1, 2, 3, 4, 5],
        rule: StoppingRule(target: 1e-6, maxEpochs: 1000),
        learningRates: logGrid(from: -4, to: 1, perDecade: 3)
    )
}

extension Suites {
    /// Appendix C of the survey by measurement: least-squares instances sweeping κ and
    /// λmax/λavg (n ≥ d and n = d, realizable and noisy) plus logistic regression, under every
    /// classical method, each tuned over the learning-rate sweep and, in `[theory]` columns, at
    /// the step sizes theory prescribes.
    public static let classical: Suite = {
        let ls = ["n=1000", "d=50"]
        let problems = [
            SuiteProblem("least-squares", ls + ["kappa=10"], series: ["kappa"]),
            SuiteProblem("least-squares", ls + ["kappa=100"], series: ["kappa"]),
            SuiteProblem("least-squares", ls + ["kappa=1000"], series: ["kappa"]),
            SuiteProblem("least-squares", ls + ["kappa=100", "spectrum=spiked", "spikes=25"], series: ["lambda_max/lambda_avg"]),
            SuiteProblem("least-squares", ls + ["kappa=100", "spectrum=spiked", "spikes=5"], series: ["lambda_max/lambda_avg"]),
            SuiteProblem("least-squares", ls + ["kappa=100", "spectrum=spiked", "spikes=1"], series: ["lambda_max/lambda_avg"]),
            SuiteProblem("least-squares", ["n=4000", "d=20", "kappa=100"]),
            SuiteProblem("least-squares", ["n=50", "d=50", "kappa=100"]),
            SuiteProblem("least-squares", ls + ["kappa=100", "noise=0.1"]),
            SuiteProblem("logistic", ["n=1000", "d=20"]),
        ]
        // Momentum multiplies the step by about 1/(1 − μ): the suite's smallest rates only run out
        // the budget there, and a winning low end is extended anyway.
        let momentumRates = logGrid(from: -2, to: 1, perDecade: 3)
        @Sendable func rate(_ t: TheoryConstants, _ user: String) throws(ConfigurationError) -> Double {
            let k = try t.value(.conditionNumber, for: user).squareRoot()
            return (k - 1) / (k + 1)
        }
        let optimizers = [
            SuiteOptimizer("gd", complexity: .gradientDescent),
            SuiteOptimizer("gd", complexity: .gradientDescent, tag: "theory") { t throws(ConfigurationError) in
                ["lr=\(1 / (try t.value(.smoothness, for: "gd[theory]")))"]
            },
            SuiteOptimizer("nesterov", learningRates: momentumRates, sweeping: [momentumSweep], complexity: .accelerated),
            SuiteOptimizer("nesterov", complexity: .accelerated, tag: "theory") { t throws(ConfigurationError) in
                ["lr=\(1 / (try t.value(.smoothness, for: "nesterov[theory]")))", "momentum=\(try rate(t, "nesterov[theory]"))"]
            },
            SuiteOptimizer("momentum", learningRates: momentumRates, sweeping: [momentumSweep], complexity: .accelerated),
            SuiteOptimizer("momentum", complexity: .accelerated, tag: "theory") { t throws(ConfigurationError) in
                let user = "momentum[theory]"
                let s = (try t.value(.smoothness, for: user)).squareRoot() + (try t.value(.strongConvexity, for: user)).squareRoot()
                let q = try rate(t, user)
                return ["lr=\(4 / (s * s))", "momentum=\(q * q)"]
            },
            SuiteOptimizer("sgd", ["batch_size=1"], complexity: .sgdRealizable),
            SuiteOptimizer("sgd", ["batch_size=1"], complexity: .sgdRealizable, tag: "theory") { t throws(ConfigurationError) in
                ["lr=\(1 / (try t.value(.maxSampleSmoothness, for: "sgd[theory]")))"]
            },
            SuiteOptimizer("svrg", complexity: .varianceReduced),
            SuiteOptimizer("svrg", complexity: .varianceReduced, tag: "theory") { t throws(ConfigurationError) in
                ["lr=\(1 / (10 * (try t.value(.maxSampleSmoothness, for: "svrg[theory]"))))"]
            },
            SuiteOptimizer("saga", complexity: .varianceReduced),
            SuiteOptimizer("saga", complexity: .varianceReduced, tag: "theory") { t throws(ConfigurationError) in
                ["lr=\(1 / (3 * (try t.value(.maxSampleSmoothness, for: "saga[theory]"))))"]
            },
            SuiteOptimizer("rcd", complexity: .coordinate),
            SuiteOptimizer("rcd", ["sampling=lipschitz", "lr=1"], learningRates: [], complexity: .coordinate, tag: "theory"),
            SuiteOptimizer("bb"),
            SuiteOptimizer("lbfgs", ["tolerance_grad=0"], learningRates: []),
        ]
        return Suite(
            name: "classical",
            summary: "least squares with prescribed spectra and logistic regression under GD, accelerated, SGD, SVRG, SAGA, R-CD, BB and L-BFGS",
            problems: problems, optimizers: optimizers, seeds: [1, 2, 3],
            rule: StoppingRule(target: 1e-6, maxEpochs: 4000),
            learningRates: logGrid(from: -3, to: 1, perDecade: 3))
    }()
}

func pow10(_ e: Double) -> Double { Math.pow(10, e) }
