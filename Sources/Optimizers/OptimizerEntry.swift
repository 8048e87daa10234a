import OptBenchCore
import OptBenchKernels

/// A registered optimizer: name, one-line description, typed hyper-parameters with torch's
/// names and defaults, and a factory that validates them and builds the rule in both
/// precisions. Parameter groups (torch's `param_groups`) are passed to the factory as
/// overrides by block selector.
public struct OptimizerEntry: Sendable {
    public let name: String
    public let summary: String
    public let parameters: [ParameterDeclaration]
    let factory: @Sendable (Parameters, [ParameterGroup]) throws(ConfigurationError) -> ConfiguredOptimizer

    /// An entry whose factory builds `float` and `double` from validated hyper-parameters and
    /// parameter groups; call it with the concrete rule types, so each is compiled per precision.
    public init<F: Optimizer, D: Optimizer>(
        name: String, summary: String, parameters: [ParameterDeclaration],
        float: @escaping @Sendable (Parameters, [ParameterGroup]) throws(ConfigurationError) -> F,
        double: @escaping @Sendable (Parameters, [ParameterGroup]) throws(ConfigurationError) -> D
    ) where F.Scalar == Float, D.Scalar == Double {
        self.name = name
        self.summary = summary
        self.parameters = parameters
        factory = { p, groups throws(ConfigurationError) in
            ConfiguredOptimizer(float32: AnyOptimizer(try float(p, groups)), float64: AnyOptimizer(try double(p, groups)))
        }
    }

    /// Validated hyper-parameters from `key=value` words.
    public func parameters(_ keyValues: [String]) throws(ConfigurationError) -> Parameters {
        try Parameters(owner: "optimizer '\(name)'", declarations: parameters, keyValues: keyValues)
    }

    public func make(_ keyValues: [String] = [], groups: [ParameterGroup] = []) throws(ConfigurationError) -> ConfiguredOptimizer {
        try factory(parameters(keyValues), groups)
    }

    public func make(_ p: Parameters, groups: [ParameterGroup] = []) throws(ConfigurationError) -> ConfiguredOptimizer {
        try factory(p, groups)
    }

    /// Whether the rule has a learning rate the harness can sweep.
    public var hasLearningRate: Bool { parameters.contains { $0.name == "lr" } }
}
