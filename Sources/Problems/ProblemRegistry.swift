import OptBenchCore

/// A registered problem family: its name, a one-line description, its typed settings
/// (`--set key=value`) and a factory.
public struct ProblemEntry: Sendable {
    public let name: String
    public let summary: String
    public let settings: [ParameterDeclaration]
    /// Whether F has a single sample (a deterministic function usable by `optbench trace`).
    public let deterministic: Bool
    let factory: @Sendable (Parameters) throws -> ProblemInstance

    public init(
        name: String, summary: String, settings: [ParameterDeclaration], deterministic: Bool = false,
        factory: @escaping @Sendable (Parameters) throws -> ProblemInstance
    ) {
        self.name = name
        self.summary = summary
        self.settings = settings
        self.deterministic = deterministic
        self.factory = factory
    }

    /// Builds the problem from `key=value` settings; unknown or ill-typed settings throw.
    public func make(_ keyValues: [String] = []) throws -> ProblemInstance {
        try factory(Parameters(owner: "problem '\(name)'", declarations: settings, keyValues: keyValues))
    }

    public func make(_ parameters: Parameters) throws -> ProblemInstance { try factory(parameters) }
}

/// Every problem by name. Adding a problem is one file and one line here.
public enum ProblemRegistry {
    public static let all: [ProblemEntry] = [
        Rosenbrock.entry,
        W7.entry,
        Product.entry,
        LeastSquares.entry,
        LogisticRegression.entry,
        MatrixFactorization.entry,
        DeepLinearNetwork.entry,
        MLP.entry,
        ResNet.entry,
    ]

    /// `dtype=float32|float64`, the precision of a problem's parameters and data, for the
    /// problems that offer both.
    public static let dtypeSetting = ParameterDeclaration.choice(
        "dtype", default: Precision.float64, "precision of the parameters and data (theory constants are computed in float64 either way)")

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
