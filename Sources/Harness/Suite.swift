import Core
import Optimizers
import Problems

/// A problem instance in a suite: a registered name and its `key=value` settings.
public struct ProblemSpec: Sendable {
    public var name: String
    public var settings: [String]
    /// Sweeps this instance belongs to (e.g. `kappa`), for slope fits across instances.
    public var sweeps: [String]
    public init(_ name: String, _ settings: [String] = [], sweeps: [String] = []) {
        self.name = name
        self.settings = settings
        self.sweeps = sweeps
    }
    public var entry: ProblemEntry { get throws { try ProblemRegistry.entry(named: name) } }
    public func make() throws -> any Problem { try entry.make(settings) }
    /// `name(k=v …)`, as in tables.
    public var label: String { settings.isEmpty ? name : "\(name)(\(settings.joined(separator: " ")))" }
}

/// An optimizer column in a suite: a registered name, fixed hyper-parameters, and the
/// learning rates to sweep (nil: the suite's sweep; empty: no sweep, the rule's own `lr`).
///
/// A column may instead take its hyper-parameters from theory: `prescribed` maps the
/// problem's properties (λmax, κ, L_max, …) to `key=value` words, e.g. GD's lr = 1/L; such a
/// column is not swept. `complexity` names the epoch complexity theory predicts for it.
public struct OptimizerSpec: Sendable {
    public var name: String
    public var hyperParameters: [String]
    public var learningRates: [Double]?
    public var complexity: Complexity?
    public var prescribed: (@Sendable ([String: Double]) -> [String])?
    /// Shown after the name in tables, e.g. `theory` for prescribed step sizes.
    public var tag: String?

    public init(_ name: String, _ hyperParameters: [String] = [], learningRates: [Double]? = nil, complexity: Complexity? = nil,
                tag: String? = nil, prescribed: (@Sendable ([String: Double]) -> [String])? = nil) {
        self.name = name
        self.hyperParameters = hyperParameters
        self.learningRates = prescribed == nil ? learningRates : []
        self.complexity = complexity
        self.tag = tag
        self.prescribed = prescribed
    }

    public var label: String {
        let base = hyperParameters.isEmpty ? name : "\(name)(\(hyperParameters.joined(separator: " ")))"
        return tag.map { "\(base)[\($0)]" } ?? base
    }

    /// The rule for a problem with `properties`, with `lr` set when given, validated.
    public func make(lr: Double?, properties: [String: Double] = [:]) throws -> any Optimizer {
        let entry = try OptimizerRegistry.entry(named: name)
        var p = try entry.parameters(hyperParameters + (prescribed?(properties) ?? []))
        if let lr { p = try p.setting("lr", .real(lr)) }
        return try entry.make(p)
    }
}

/// A benchmark grid: problems × optimizers × learning-rate sweep × seeds, one stopping rule.
public struct Suite: Sendable {
    public var name: String
    public var summary: String
    public var problems: [ProblemSpec]
    public var optimizers: [OptimizerSpec]
    public var seeds: [UInt64]
    public var rule: StoppingRule
    public var learningRates: [Double]

    public init(name: String, summary: String, problems: [ProblemSpec], optimizers: [OptimizerSpec],
                seeds: [UInt64], rule: StoppingRule, learningRates: [Double]) {
        self.name = name
        self.summary = summary
        self.problems = problems
        self.optimizers = optimizers
        self.seeds = seeds
        self.rule = rule
        self.learningRates = learningRates
    }

    /// The learning rates swept for optimizer column `j` (one nil entry: no sweep).
    func sweep(for j: Int) throws -> [Double?] {
        let spec = optimizers[j]
        guard try OptimizerRegistry.entry(named: spec.name).hasLearningRate else { return [nil] }
        let lrs = spec.learningRates ?? learningRates
        return lrs.isEmpty ? [nil] : lrs
    }
}

/// `perDecade` log-spaced values from 10^lowExponent to 10^highExponent inclusive.
public func logGrid(from lowExponent: Int, to highExponent: Int, perDecade: Int) -> [Double] {
    let count = (highExponent - lowExponent) * perDecade
    return (0...count).map { k in
        let e = Double(lowExponent) + Double(k) / Double(perDecade)
        // Round to 3 significant digits so grid values print as typed (0.316, not 0.31622776601683794).
        let v = pow10(e)
        let scale = pow10((log10(v)).rounded(.down) - 2)
        return (v / scale).rounded() * scale
    }
}

/// The suites `optbench bench --suite NAME` runs; `default` is what `make bench` runs.
public enum Suites {
    public static var all: [Suite] { [defaultSuite, classical] }

    public static func named(_ name: String) throws(ConfigurationError) -> Suite {
        guard let s = all.first(where: { $0.name == name }) else {
            throw ConfigurationError("unknown suite '\(name)'; valid suites: \(all.map(\.name).joined(separator: ", "))")
        }
        return s
    }

    /// The foundation's slice: the two toy functions and least squares (realizable and noisy)
    /// under GD, SGD (constant and decaying steps), heavy ball and Nesterov.
    public static let defaultSuite = Suite(
        name: "default",
        summary: "toy functions and least squares under GD, SGD, heavy-ball and Nesterov momentum",
        problems: [
            ProblemSpec("rosenbrock"),
            ProblemSpec("w7"),
            ProblemSpec("least-squares", ["n=1000", "d=50", "kappa=100"]),
            ProblemSpec("least-squares", ["n=1000", "d=50", "kappa=100", "noise=0.1"]),
        ],
        optimizers: [
            OptimizerSpec("gd"),
            OptimizerSpec("sgd", ["batch_size=10"]),
            OptimizerSpec("sgd", ["batch_size=10", "schedule=inverse-power", "power=1"]),
            OptimizerSpec("momentum"),
            OptimizerSpec("nesterov"),
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
            ProblemSpec("least-squares", ls + ["kappa=10"], sweeps: ["kappa"]),
            ProblemSpec("least-squares", ls + ["kappa=100"], sweeps: ["kappa"]),
            ProblemSpec("least-squares", ls + ["kappa=1000"], sweeps: ["kappa"]),
            ProblemSpec("least-squares", ls + ["kappa=100", "spectrum=spiked", "spikes=25"], sweeps: ["lambda_max/lambda_avg"]),
            ProblemSpec("least-squares", ls + ["kappa=100", "spectrum=spiked", "spikes=5"], sweeps: ["lambda_max/lambda_avg"]),
            ProblemSpec("least-squares", ls + ["kappa=100", "spectrum=spiked", "spikes=1"], sweeps: ["lambda_max/lambda_avg"]),
            ProblemSpec("least-squares", ["n=4000", "d=20", "kappa=100"]),
            ProblemSpec("least-squares", ["n=50", "d=50", "kappa=100"]),
            ProblemSpec("least-squares", ls + ["kappa=100", "noise=0.1"]),
            ProblemSpec("logistic", ["n=1000", "d=20"]),
        ]
        // Smoothness L and strong convexity μ: the Hessian's extreme eigenvalues for least
        // squares, the global bounds for logistic regression.
        @Sendable func smoothness(_ p: [String: Double]) -> Double? { p["lambda_max"] ?? p["L"] }
        @Sendable func convexity(_ p: [String: Double]) -> Double? { p["lambda_min"] ?? p["mu"] }
        @Sendable func rate(_ p: [String: Double]) -> Double? {
            guard let k = p["kappa"] else { return nil }
            return (k.squareRoot() - 1) / (k.squareRoot() + 1)
        }
        let optimizers = [
            OptimizerSpec("gd", complexity: .gradientDescent),
            OptimizerSpec("gd", complexity: .gradientDescent, tag: "theory") { p in
                smoothness(p).map { ["lr=\(1 / $0)"] } ?? []
            },
            OptimizerSpec("nesterov", complexity: .accelerated),
            OptimizerSpec("nesterov", complexity: .accelerated, tag: "theory") { p in
                guard let l = smoothness(p), let q = rate(p) else { return [] }
                return ["lr=\(1 / l)", "momentum=\(q)"]
            },
            OptimizerSpec("momentum", complexity: .accelerated),
            OptimizerSpec("momentum", complexity: .accelerated, tag: "theory") { p in
                guard let l = smoothness(p), let m = convexity(p), let q = rate(p) else { return [] }
                let s = l.squareRoot() + m.squareRoot()
                return ["lr=\(4 / (s * s))", "momentum=\(q * q)"]
            },
            OptimizerSpec("sgd", ["batch_size=1"], complexity: .sgdRealizable),
            OptimizerSpec("sgd", ["batch_size=1"], complexity: .sgdRealizable, tag: "theory") { p in
                p["L_max"].map { ["lr=\(1 / $0)"] } ?? []
            },
            OptimizerSpec("svrg", complexity: .varianceReduced),
            OptimizerSpec("svrg", complexity: .varianceReduced, tag: "theory") { p in p["L_max"].map { ["lr=\(1 / (10 * $0))"] } ?? [] },
            OptimizerSpec("saga", complexity: .varianceReduced),
            OptimizerSpec("saga", complexity: .varianceReduced, tag: "theory") { p in p["L_max"].map { ["lr=\(1 / (3 * $0))"] } ?? [] },
            OptimizerSpec("rcd", complexity: .coordinate),
            OptimizerSpec("rcd", ["sampling=lipschitz", "lr=1"], learningRates: [], complexity: .coordinate, tag: "theory"),
            OptimizerSpec("bb"),
            OptimizerSpec("lbfgs", ["tolerance_grad=0"], learningRates: []),
        ]
        return Suite(
            name: "classical",
            summary: "least squares with prescribed spectra and logistic regression under GD, accelerated, SGD, SVRG, SAGA, R-CD, BB and L-BFGS",
            problems: problems, optimizers: optimizers, seeds: [1, 2, 3],
            rule: StoppingRule(target: 1e-6, maxEpochs: 4000),
            learningRates: logGrid(from: -3, to: 1, perDecade: 3))
    }()
}

#if canImport(Glibc)
import Glibc
func pow10(_ e: Double) -> Double { Glibc.pow(10, e) }
#else
import Foundation
func pow10(_ e: Double) -> Double { Foundation.pow(10, e) }
#endif
