import Core

/// A registered problem family: its name, a one-line description, its typed settings
/// (`--set key=value`) and a factory.
public struct ProblemEntry: Sendable {
    public let name: String
    public let summary: String
    public let settings: [ParameterSpec]
    /// Whether F has a single sample (a deterministic function usable by `optbench trace`).
    public let deterministic: Bool
    let factory: @Sendable (Parameters) throws -> any Problem

    public init(
        name: String, summary: String, settings: [ParameterSpec], deterministic: Bool = false,
        factory: @escaping @Sendable (Parameters) throws -> any Problem
    ) {
        self.name = name
        self.summary = summary
        self.settings = settings
        self.deterministic = deterministic
        self.factory = factory
    }

    /// Builds the problem from `key=value` settings; unknown or ill-typed settings throw.
    public func make(_ keyValues: [String] = []) throws -> any Problem {
        try factory(Parameters(owner: "problem '\(name)'", specs: settings, keyValues: keyValues))
    }

    public func make(_ parameters: Parameters) throws -> any Problem { try factory(parameters) }
}

/// Every problem by name. Adding a problem is one file and one line here.
public enum ProblemRegistry {
    public static let all: [ProblemEntry] = [
        Rosenbrock.entry,
        ToyPower.entry,
        ScalarProduct.entry,
        LeastSquares.entry,
        LogisticRegression.entry,
        MatrixFactorization.entry,
        DeepLinearNetwork.entry,
    ]

    public static func entry(named name: String) throws(ConfigurationError) -> ProblemEntry {
        guard let e = all.first(where: { $0.name == name }) else {
            throw ConfigurationError("unknown problem '\(name)'; valid problems: \(all.map(\.name).joined(separator: ", "))")
        }
        return e
    }
}

/// `name(k=v k=v)` for the settings that differ from the defaults, or `name`.
func problemLabel(_ name: String, _ parameters: Parameters) -> String {
    let changed = parameters.changed
    return changed.isEmpty ? name : "\(name)(\(changed))"
}
