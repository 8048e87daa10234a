import Core

/// A registered optimizer: name, one-line description, typed hyper-parameters with torch's
/// names and defaults, and a factory that validates them.
public struct OptimizerEntry: Sendable {
    public let name: String
    public let summary: String
    public let parameters: [ParameterSpec]
    let factory: @Sendable (Parameters) throws(ConfigurationError) -> any Optimizer

    public init(name: String, summary: String, parameters: [ParameterSpec],
                factory: @escaping @Sendable (Parameters) throws(ConfigurationError) -> any Optimizer) {
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.factory = factory
    }

    /// Validated hyper-parameters from `key=value` words.
    public func parameters(_ keyValues: [String]) throws(ConfigurationError) -> Parameters {
        try Parameters(owner: "optimizer '\(name)'", specs: parameters, keyValues: keyValues)
    }

    public func make(_ keyValues: [String] = []) throws(ConfigurationError) -> any Optimizer {
        try factory(parameters(keyValues))
    }

    public func make(_ p: Parameters) throws(ConfigurationError) -> any Optimizer { try factory(p) }

    /// Whether the rule has a learning rate the harness can sweep.
    public var hasLearningRate: Bool { parameters.contains { $0.name == "lr" } }
}

/// Every optimizer by name. Adding an optimizer is one file and one line here.
public enum OptimizerRegistry {
    public static let all: [OptimizerEntry] = [
        GD.entry,
        SGD.entry,
        Momentum.entry,
        Nesterov.entry,
        SVRG.entry,
        SAGA.entry,
        RCD.entry,
        BB.entry,
        LBFGS.entry,
    ]

    public static func entry(named name: String) throws(ConfigurationError) -> OptimizerEntry {
        guard let e = all.first(where: { $0.name == name }) else {
            throw ConfigurationError("unknown optimizer '\(name)'; valid optimizers: \(all.map(\.name).joined(separator: ", "))")
        }
        return e
    }
}
