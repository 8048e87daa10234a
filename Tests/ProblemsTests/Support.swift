import OptBenchCatalog
import OptBenchHarness
import OptBenchCore
import OptBenchKernels
import Testing

@testable import OptBenchProblems

func configurationMessage(_ body: () throws -> Void) -> String? {
    do { try body() } catch let e as ConfigurationError { return e.message } catch { return "unexpected \(error)" }
    return nil
}

/// The registry's problem `name` with `settings`.
func instance(_ name: String, _ settings: [String] = []) throws -> ProblemInstance {
    try Catalog.standard.problem(named: name).make(settings)
}

/// The float64 problem `name` with `settings`, as the registry erases it.
func float64(_ name: String, _ settings: [String] = []) throws -> AnyProblem<Double> {
    // Problems whose default is float32 (networks) are asked for float64.
    let hasDtype = (try Catalog.standard.problem(named: name)).settings.contains { $0.name == "dtype" }
    let explicit = hasDtype && !settings.contains { $0.hasPrefix("dtype=") } ? settings + ["dtype=float64"] : settings
    guard case .float64(let p) = try instance(name, explicit) else { throw ProblemTestError.precision(name, settings) }
    return p
}

/// The float32 problem `name` with `settings` (and `dtype=float32`).
func float32(_ name: String, _ settings: [String] = []) throws -> AnyProblem<Float> {
    guard case .float32(let p) = try instance(name, settings + ["dtype=float32"]) else { throw ProblemTestError.precision(name, settings) }
    return p
}

/// The concrete problem behind the registry's `name` with `settings`.
func concrete<P>(_ name: String, _ settings: [String] = [], as _: P.Type) throws -> P {
    let base: Any
    switch try instance(name, settings) {
    case .float32(let p): base = p.base
    case .float64(let p): base = p.base
    }
    guard let p = base as? P else { throw ProblemTestError.type(name, "\(P.self)") }
    return p
}

enum ProblemTestError: Error {
    case precision(String, [String])
    case type(String, String)
}

/// The value of the property `name`, as tables read it.
func property(_ properties: [(name: String, value: Double)], _ name: String) -> Double? {
    properties.first { $0.name == name }?.value
}

extension Objective {
    /// (1/|B|) Σ_{i∈B} ∇fᵢ(w) in a fresh array.
    func sampleGradient(_ w: [Scalar], samples: [Int]) -> [Scalar] {
        var g = [Scalar](repeating: .nan, count: dimension)
        w.withUnsafeBufferPointer { wp in
            samples.withUnsafeBufferPointer { b in g.withUnsafeMutableBufferPointer { sampleGradient(at: wp, samples: b, into: $0) } }
        }
        return g
    }
}

extension CoordinateView {
    /// ∂F/∂w_j at w.
    func partial(_ w: [Scalar], _ j: Int) -> Scalar { w.withUnsafeBufferPointer { partial($0, j) } }
}

extension LinearModelView {
    /// φᵢ′(xᵢᵀw).
    func derivative(_ w: [Scalar], _ i: Int) -> Scalar { w.withUnsafeBufferPointer { derivative($0, i) } }
}
