import OptBenchCore

/// A problem family as a catalog holds it: its name, a one-line description, its typed settings
/// (`--set key=value`, read off a `ParameterSet` of declared `@Setting`s) and a factory.
public struct ProblemEntry: Sendable {
    public let name: String
    public let summary: String
    public let settings: [ParameterDeclaration]
    /// Whether F has a single sample (a deterministic function usable by `optbench trace`).
    public let deterministic: Bool
    let factory: @Sendable (Parameters) throws -> ProblemInstance

    /// An entry whose settings are the declared properties of `S`; `build` receives them typed,
    /// with the problem's label (`name(k=v …)` for the settings that differ from the defaults).
    public init<S: ParameterSet>(
        name: String, summary: String, settings: S.Type, deterministic: Bool = false,
        build: @escaping @Sendable (S, _ label: String) throws -> ProblemInstance
    ) {
        self.name = name
        self.summary = summary
        self.settings = S().declarations
        self.deterministic = deterministic
        factory = { p in try build(try S(p), problemLabel(name, p)) }
    }

    /// Validated settings from `key=value` words.
    public func parameters(_ keyValues: [String]) throws(ConfigurationError) -> Parameters {
        try Parameters(owner: "problem '\(name)'", declarations: settings, keyValues: keyValues)
    }

    /// Every setting at its default.
    public var defaults: Parameters { Parameters(owner: "problem '\(name)'", declarations: settings) }

    /// Builds the problem from `key=value` settings; unknown or ill-typed settings throw.
    public func make(_ keyValues: [String] = []) throws -> ProblemInstance { try factory(parameters(keyValues)) }

    public func make(_ parameters: Parameters) throws -> ProblemInstance { try factory(parameters) }
}

/// `dtype=float32|float64`, the precision of a problem's parameters and data, for the problems
/// that offer both.
public struct PrecisionSetting: ParameterSet {
    @Setting("dtype", "precision of the parameters and data (theory constants are computed in float64 either way)")
    public var dtype = Precision.float64
    public init() {}
}

/// `name(k=v k=v)` for the settings that differ from the defaults, or `name`.
func problemLabel(_ name: String, _ parameters: Parameters) -> String {
    let changed = parameters.changed
    return changed.isEmpty ? name : "\(name)(\(changed))"
}
