import OptBenchCore

/// A problem family as a catalog holds it: its name, a one-line description, its typed settings
/// (`--set key=value`, read off a `ParameterSet` of declared `@Setting`s), a factory and, when
/// the family declares one, the estimate of the memory an instance takes (`MemoryEstimate`),
/// checked against the machine's before the factory allocates anything.
public struct ProblemEntry: Sendable {
    public let name: String
    public let summary: String
    public let settings: [ParameterDeclaration]
    /// Whether F has a single sample (a deterministic function usable by `optbench trace`).
    public let deterministic: Bool
    let factory: @Sendable (Parameters) throws -> ProblemInstance
    let estimator: (@Sendable (Parameters) throws -> MemoryEstimate)?

    /// An entry whose settings are the declared properties of `S`; `build` receives them typed,
    /// with the problem's label (`name(k=v …)` for the settings that differ from the defaults).
    /// `memory`, from the same settings, estimates what `build` and a run will take without
    /// allocating it; an entry without one is built unchecked.
    public init<S: ParameterSet>(
        name: String, summary: String, settings: S.Type, deterministic: Bool = false,
        memory: (@Sendable (S) throws -> MemoryEstimate)? = nil,
        build: @escaping @Sendable (S, _ label: String) throws -> ProblemInstance
    ) {
        self.name = name
        self.summary = summary
        self.settings = S().declarations
        self.deterministic = deterministic
        factory = { p in try build(try S(p), problemLabel(name, p)) }
        if let memory {
            estimator = { @Sendable (p: Parameters) throws -> MemoryEstimate in try memory(try S(p)) }
        } else {
            estimator = nil
        }
    }

    /// Validated settings from `key=value` words.
    public func parameters(_ keyValues: [String]) throws(ConfigurationError) -> Parameters {
        try Parameters(owner: "problem '\(name)'", declarations: settings, keyValues: keyValues)
    }

    /// Every setting at its default.
    public var defaults: Parameters { Parameters(owner: "problem '\(name)'", declarations: settings) }

    /// Builds the problem from `key=value` settings; unknown or ill-typed settings throw, and so
    /// do settings whose memory estimate exceeds `MemoryEstimate.available`, before anything is
    /// allocated.
    public func make(_ keyValues: [String] = []) throws -> ProblemInstance { try make(parameters(keyValues)) }

    public func make(_ parameters: Parameters) throws -> ProblemInstance {
        if let m = try memory(parameters) { try m.check(problem: name, settings: parameters.changed) }
        return try factory(parameters)
    }

    /// The memory an instance with these settings and a run on it will take, or nil when the
    /// entry declares no estimate; settings that are refused as invalid throw as `make` would.
    public func memory(_ parameters: Parameters) throws -> MemoryEstimate? { try estimator?(parameters) }
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
