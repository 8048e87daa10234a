import OptBenchCore
import OptBenchKernels

/// An optimizer as a catalog holds it: name, one-line description, its hyper-parameters (read
/// off the rule's declared properties, with torch's names and defaults), and a factory that
/// builds the rule from validated values in both precisions. Parameter groups (torch's
/// `param_groups`) are passed to the factory as overrides by block selector.
public struct OptimizerEntry: Sendable {
    public let name: String
    public let summary: String
    public let parameters: [ParameterDeclaration]
    /// The hyper-parameters a parameter group may override; empty when the rule refuses groups.
    public let groupParameters: [String]
    let factory: @Sendable (Parameters, [ParameterGroup]) throws(ConfigurationError) -> ConfiguredOptimizer

    /// An entry from its declarations and a factory; the initialisers below derive both from
    /// the rule's type.
    public init(name: String, summary: String, parameters: [ParameterDeclaration], groupParameters: [String],
                factory: @escaping @Sendable (Parameters, [ParameterGroup]) throws(ConfigurationError) -> ConfiguredOptimizer) {
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.groupParameters = groupParameters
        self.factory = factory
    }

    /// A rule whose hyper-parameters are its own declared properties, in float32 (`float`) and
    /// float64 (`double`: the same generic rule). `defaults` adjusts the defaults of a preset;
    /// parameter groups are refused, `groupsRefused` saying why.
    @inlinable
    public init<F: Optimizer & ParameterSet, D: Optimizer & ParameterSet>(
        name: String, summary: String, float: F.Type, double: D.Type, groupsRefused reason: String,
        defaults: @escaping @Sendable (inout D) -> Void = { _ in }
    ) where F.Scalar == Float, D.Scalar == Double {
        var preset = D()
        defaults(&preset)
        let template = preset
        self.init(name: name, summary: summary, parameters: template.declarations, groupParameters: []) { p, groups throws(ConfigurationError) in
            if let first = groups.first {
                throw ConfigurationError("\(p.owner) does not take parameter groups (\(reason)); got '\(first)'")
            }
            return ConfiguredOptimizer(float32: AnyOptimizer(try F(p)), float64: AnyOptimizer(try D(p, defaults: template)))
        }
    }

    /// An element-wise rule under `ElementwiseOptimizer`, which draws the gradient (the full one,
    /// or a mini-batch of `batch_size`), applies the schedule and hands each parameter group its
    /// own rule. `batchSize` is the mini-batch `batch_size=auto` falls back to on a problem that
    /// declares none (0: the full gradient); nil: always the full gradient, with no `batch_size`
    /// to set. `defaults` adjusts the rule's defaults of a preset.
    @inlinable
    public init<F: ElementwiseRule, D: ElementwiseRule>(
        name: String, summary: String, elementwise float: F.Type, _ double: D.Type, batchSize: Int? = 0,
        defaults: @escaping @Sendable (inout D) -> Void = { _ in }
    ) where F.Scalar == Float, D.Scalar == Double {
        var preset = D()
        defaults(&preset)
        let rule = preset
        let run = RunSettings()
        let runDeclarations = batchSize == nil ? run.schedule.declarations : run.declarations
        let groupParameters = rule.declarations.map(\.name)
        self.init(name: name, summary: summary, parameters: rule.declarations + runDeclarations, groupParameters: groupParameters) {
            p, groups throws(ConfigurationError) in
            let runSettings = try RunSettings(p, defaults: run)
            func build<R: ElementwiseRule>(_: R.Type) throws(ConfigurationError) -> ElementwiseOptimizer<R> {
                let base = try R(p)
                var grouped: [(ParameterGroup, R)] = []
                for group in ParameterGroup.merged(groups) {
                    let values = try p.overridden(by: group, allowing: groupParameters)
                    do throws(ConfigurationError) {
                        grouped.append((group, try R(values)))
                    } catch {
                        throw ConfigurationError("\(error.message) (in parameter group '\(group.selector)')")
                    }
                }
                return ElementwiseOptimizer(base: base, groups: grouped, batchSize: batchSize == nil ? .samples(0) : runSettings.batch.batchSize,
                                            fallbackBatchSize: batchSize ?? 0,
                                            schedule: runSettings.schedule.schedule(lr: base.lr))
            }
            return ConfiguredOptimizer(float32: AnyOptimizer(try build(F.self)), float64: AnyOptimizer(try build(D.self)))
        }
    }

    /// The run-wide settings of an element-wise rule: its schedule, then its mini-batch size.
    public struct RunSettings: ParameterSet {
        public var schedule = ScheduleSettings()
        public var batch = BatchSettings()
        public init() {}
    }

    /// Validated hyper-parameters from `key=value` words.
    public func parameters(_ keyValues: [String]) throws(ConfigurationError) -> Parameters {
        try Parameters(owner: "optimizer '\(name)'", declarations: parameters, keyValues: keyValues)
    }

    /// Every hyper-parameter at its default.
    public var defaults: Parameters { Parameters(owner: "optimizer '\(name)'", declarations: parameters) }

    public func make(_ keyValues: [String] = [], groups: [ParameterGroup] = []) throws(ConfigurationError) -> ConfiguredOptimizer {
        try factory(parameters(keyValues), groups)
    }

    public func make(_ p: Parameters, groups: [ParameterGroup] = []) throws(ConfigurationError) -> ConfiguredOptimizer {
        try factory(p, groups)
    }

    /// Whether the rule has a learning rate the harness can sweep.
    public var hasLearningRate: Bool { parameters.contains { $0.name == ParameterDeclaration.learningRate } }
}

/// `batch_size`: samples per mini-batch, 0 for the full gradient, `auto` for the problem's.
public struct BatchSettings: ParameterSet {
    @HyperParameter("batch_size", range: 0...1e9, BatchSettings.summary)
    public var batchSize: BatchSize = .auto
    public init() {}

    /// What `batch_size` means, for every rule that declares it.
    public static let summary = "samples per mini-batch, drawn without replacement; 0 = full gradient; "
        + "auto = the problem's mini-batch (networks: their batch_size), else the rule's default"
}

extension ParameterDeclaration {
    /// The name of the learning rate, the hyper-parameter grids sweep.
    public static let learningRate = "lr"
}
