import OptBenchCore
import OptBenchKernels
import OptBenchOptimizers
import OptBenchProblems

/// A problem row of a suite: a catalog entry and its validated settings.
public struct SuiteProblem: Sendable {
    public var entry: ProblemEntry
    /// The settings, validated against the entry's declarations.
    public var settings: Parameters
    /// The names of the settings given, in the order given (the row's label keeps it).
    public var given: [String]
    /// Series this instance belongs to (e.g. `kappa`), for slope fits across instances.
    public var series: [String]

    public init(_ entry: ProblemEntry, settings: Parameters, given: [String], series: [String] = []) {
        self.entry = entry
        self.settings = settings
        self.given = given
        self.series = series
    }

    /// `entry` with `key=value` words, checked against its declarations.
    public init(_ entry: ProblemEntry, _ words: [String] = [], series: [String] = []) throws(ConfigurationError) {
        self.init(entry, settings: try entry.parameters(words), given: words.map { String($0.prefix { $0 != "=" }) }, series: series)
    }

    public var name: String { entry.name }
    public func make() throws -> ProblemInstance { try entry.make(settings) }
    /// The given settings as `key=value` words, in the order given.
    public var words: [String] { given.map { "\($0)=\(settings.value(of: $0).map(\.description) ?? "")" } }
    /// `name(k=v …)`, as in tables.
    public var label: String { given.isEmpty ? name : "\(name)(\(words.joined(separator: " ")))" }
}

/// An optimizer column of a suite: a catalog entry, fixed hyper-parameters, parameter groups,
/// the learning rates to sweep (nil: the suite's sweep; empty: no sweep, the rule's own `lr`),
/// and other hyper-parameters swept with them (`sweeps`: the sweep is their product with the
/// learning rates, e.g. lr × momentum).
///
/// A column may instead take hyper-parameters from theory: `prescribed` maps each to an
/// expression over the problem's constants (GD's lr = 1/L); such a column is not swept, and a
/// problem lacking a constant it needs gives a `skipped` cell naming it. `complexity` names the
/// epoch complexity theory predicts for it.
public struct SuiteOptimizer: Sendable {
    public var entry: OptimizerEntry
    /// The fixed hyper-parameters (the others at their defaults), validated.
    public var values: Parameters
    /// The names of the fixed hyper-parameters, in the order given (the column's label keeps it).
    public var fixed: [String]
    /// Parameter-group overrides (torch's `param_groups`), merged by selector.
    public var groups: [ParameterGroup]
    public var learningRates: [Double]?
    /// Hyper-parameters swept besides lr; each point of the product sets them over `values`.
    public var sweeps: [SweepAxis]
    public var prescribed: [(name: String, expression: TheoryExpression)]
    public var complexity: Complexity?
    /// Shown after the name in tables, e.g. `theory` for prescribed step sizes.
    public var tag: String?

    public init(_ entry: OptimizerEntry, values: Parameters, fixed: [String], groups: [ParameterGroup] = [],
                learningRates: [Double]? = nil, sweeping sweeps: [SweepAxis] = [],
                prescribed: [(name: String, expression: TheoryExpression)] = [], complexity: Complexity? = nil, tag: String? = nil) {
        self.entry = entry
        self.values = values
        self.fixed = fixed
        self.groups = ParameterGroup.merged(groups)
        self.learningRates = prescribed.isEmpty ? learningRates : []
        self.sweeps = prescribed.isEmpty ? sweeps : []
        self.prescribed = prescribed
        self.complexity = complexity
        self.tag = tag
    }

    /// `entry` with `key=value` words, checked against its declarations.
    public init(_ entry: OptimizerEntry, _ words: [String] = [], groups: [ParameterGroup] = [], learningRates: [Double]? = nil,
                sweeping sweeps: [SweepAxis] = [], complexity: Complexity? = nil, tag: String? = nil) throws(ConfigurationError) {
        self.init(entry, values: try entry.parameters(words), fixed: words.map { String($0.prefix { $0 != "=" }) }, groups: groups,
                  learningRates: learningRates, sweeping: sweeps, complexity: complexity, tag: tag)
    }

    public var name: String { entry.name }
    /// The fixed hyper-parameters as `key=value` words, in the order given.
    public var words: [String] { fixed.map { "\($0)=\(values.value(of: $0).map(\.description) ?? "")" } }

    public var label: String {
        let words = words + groups.map(\.description)
        let base = words.isEmpty ? name : "\(name)(\(words.joined(separator: " ")))"
        return tag.map { "\(base)[\($0)]" } ?? base
    }

    /// The rule for a problem with `theory` at sweep point `point` (its lr and settings, when
    /// given, over the column's values), validated.
    public func make(_ point: SweepPoint = SweepPoint(lr: nil), theory: TheoryConstants) throws(ConfigurationError) -> ConfiguredOptimizer {
        try entry.make(parameters(point, theory: theory), groups: groups)
    }

    /// The column's hyper-parameters at `point`: fixed values, prescribed values, then the point's.
    func parameters(_ point: SweepPoint, theory: TheoryConstants) throws(ConfigurationError) -> Parameters {
        var p = values
        for (name, expression) in prescribed { p = try p.setting(name, .real(try expression.value(for: theory, user: label))) }
        if let lr = point.lr { p = try p.setting(ParameterDeclaration.learningRate, .real(lr)) }
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
    /// The suite as a suite file (JSON), which reads back to this suite: shards keep it, so a
    /// merge runs the grid they were cut from.
    public var definition: String

    public init(name: String, summary: String, problems: [SuiteProblem], optimizers: [SuiteOptimizer],
                seeds: [UInt64], rule: StoppingRule, learningRates: [Double], definition: String = "") {
        self.name = name
        self.summary = summary
        self.problems = problems
        self.optimizers = optimizers
        self.seeds = seeds
        self.rule = rule
        self.learningRates = learningRates
        self.definition = definition
    }

    /// The learning rates swept for optimizer column `j` before any extension (empty: no lr sweep).
    func learningRates(for j: Int) -> [Double] {
        let spec = optimizers[j]
        guard spec.entry.hasLearningRate else { return [] }
        return spec.learningRates ?? learningRates
    }

    /// The points swept for optimizer column `j`: its other axes × its learning rates (a single
    /// point without lr when it sweeps nothing).
    func sweep(for j: Int) -> [SweepPoint] {
        let lrs = learningRates(for: j)
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

func pow10(_ e: Double) -> Double { Math.pow(10, e) }
