import OptBenchCore
import OptBenchKernels

/// A benchmark problem: an objective F with its data, its label, the theory constants it knows
/// (F*, L, μ, …), a seeded start and the metrics reported beside the loss.
///
/// A problem holds immutable data only (design matrices, datasets, reference solutions), built
/// once and shared by every cell, worker and phase of a grid; whatever a run mutates (prediction
/// caches, activations, train/eval mode) lives in the views and run objects it hands out. It
/// never counts evaluations: the harness wraps it in a charging `GradientOracle`.
public protocol Problem<Scalar>: Objective, Sendable {
    /// Registry name with the settings that differ from defaults, e.g. `least-squares(kappa=100)`.
    var label: String { get }
    /// L, μ, L_max, λ's and F* as far as known.
    var theory: TheoryConstants { get }
    /// Named scalar properties reported next to results (n, d, κ, λmax, …), in display order.
    var properties: [(name: String, value: Double)] { get }

    /// The starting point, a function of the problem's `init` setting and `seed` alone.
    func initialPoint(seed: UInt64) -> [Scalar]
    /// Names of the extra per-record metrics (`Objective.metrics(at:gradient:)`), in order.
    var metricNames: [String] { get }
    /// The objective one run evaluates: the problem itself, or a fresh per-run object holding
    /// whatever a run mutates (a network's activations, BatchNorm running statistics).
    func makeRunObjective() -> AnyObjective<Scalar>
}

extension Problem {
    public var metricNames: [String] { [] }
    public func makeRunObjective() -> AnyObjective<Scalar> { AnyObjective(self) }
    /// F*, when known exactly (closed form) or to high accuracy (reference solve).
    public var optimalValue: Double? { theory.optimalValue }
    /// n, d and the theory constants the problem knows, in the order tables print them.
    public var properties: [(name: String, value: Double)] { theoryProperties(theory) }
}

/// (n, d, then each known constant), as tables print them; a constant that is not finite (κ of
/// a singular H) is not known and is left out.
public func theoryProperties(_ t: TheoryConstants) -> [(name: String, value: Double)] {
    var p: [(name: String, value: Double)] = [("n", Double(t.sampleCount)), ("d", Double(t.dimension))]
    for name in TheoryConstants.Name.allCases { if let v = t[name], v.isFinite { p.append((name.rawValue, v)) } }
    return p
}

/// A problem behind closures, built where its concrete type is known (its registry factory), so
/// every evaluation the harness and oracle make is compiled for that type and precision. Each
/// `makeObjective()` hands out fresh views, so per-run state is never shared between runs.
public final class AnyProblem<Scalar: KernelScalar>: @unchecked Sendable {
    public let label: String
    public let theory: TheoryConstants
    public let properties: [(name: String, value: Double)]
    public let metricNames: [String]
    public let dimension: Int
    public let sampleCount: Int
    public let layout: ParameterLayout
    /// The problem's own mini-batch (`Objective.miniBatch`).
    public let miniBatch: Int?
    /// What the problem's views offer.
    public let capabilities: Capabilities
    let start: @Sendable (UInt64) -> [Scalar]
    let objective: @Sendable () -> AnyObjective<Scalar>
    /// The concrete problem.
    public let base: any Problem<Scalar>

    public init<P: Problem>(_ problem: P) where P.Scalar == Scalar {
        label = problem.label
        theory = problem.theory
        properties = problem.properties
        metricNames = problem.metricNames
        dimension = problem.dimension
        sampleCount = problem.sampleCount
        layout = problem.layout
        miniBatch = problem.miniBatch
        capabilities = problem.makeRunObjective().capabilities
        start = { problem.initialPoint(seed: $0) }
        objective = { problem.makeRunObjective() }
        base = problem
    }

    public var optimalValue: Double? { theory.optimalValue }
    public func initialPoint(seed: UInt64) -> [Scalar] { start(seed) }
    /// The uncharged surface with fresh views, for one run.
    public func makeObjective() -> AnyObjective<Scalar> { objective() }
}

/// A problem in the precision its `dtype` setting chose.
public enum ProblemInstance: Sendable {
    case float32(AnyProblem<Float>)
    case float64(AnyProblem<Double>)

    public init<P: Problem>(_ problem: P) where P.Scalar == Float { self = .float32(AnyProblem(problem)) }
    public init<P: Problem>(_ problem: P) where P.Scalar == Double { self = .float64(AnyProblem(problem)) }

    public var precision: Precision {
        switch self {
        case .float32: .float32
        case .float64: .float64
        }
    }
    public var label: String { switch self { case .float32(let p): p.label; case .float64(let p): p.label } }
    public var theory: TheoryConstants { switch self { case .float32(let p): p.theory; case .float64(let p): p.theory } }
    public var properties: [(name: String, value: Double)] {
        switch self { case .float32(let p): p.properties; case .float64(let p): p.properties }
    }
    public var dimension: Int { switch self { case .float32(let p): p.dimension; case .float64(let p): p.dimension } }
    public var sampleCount: Int { switch self { case .float32(let p): p.sampleCount; case .float64(let p): p.sampleCount } }
    public var miniBatch: Int? { switch self { case .float32(let p): p.miniBatch; case .float64(let p): p.miniBatch } }
    public var layout: ParameterLayout { switch self { case .float32(let p): p.layout; case .float64(let p): p.layout } }
    public var capabilities: Capabilities { switch self { case .float32(let p): p.capabilities; case .float64(let p): p.capabilities } }
    public var metricNames: [String] { switch self { case .float32(let p): p.metricNames; case .float64(let p): p.metricNames } }
}

/// Refuses a synthetic instance whose data would not fit in memory: `entries` values of 8 bytes
/// beyond 2³⁰ (8 GiB) are refused with the sizes named, before any allocation.
func checkSize(_ problem: String, _ description: String, entries: (Int, Int)) throws(ConfigurationError) {
    let (product, overflow) = entries.0.multipliedReportingOverflow(by: entries.1)
    guard !overflow, product <= 1 << 30 else {
        throw ConfigurationError("problem '\(problem)': \(description) needs \(entries.0)×\(entries.1) values; expected at most 2^30 (8 GiB of float64)")
    }
}
