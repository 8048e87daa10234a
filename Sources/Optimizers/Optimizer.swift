import OptBenchCore
import OptBenchKernels

/// An optimization algorithm as a pure update rule over a flat parameter buffer of `Scalar`
/// (`Float` or `Double`, the same code for both).
///
/// The value holds the hyper-parameters; `State` holds what the rule carries between steps
/// (momentum buffers, moments, histories, sampling order), created once per run from the
/// oracle (its dimension, sample count, layout and views). A step asks the oracle for whatever
/// it consumes — every evaluation is charged there — and updates `w` in place. Nothing is
/// allocated inside `step`.
public protocol Optimizer<Scalar>: Sendable {
    associatedtype Scalar: KernelScalar
    associatedtype State

    /// What the rule needs of a problem beyond F, ∇F and sample gradients.
    var requirements: Requirements { get }

    /// The state for a run on `oracle`'s problem; `seed` drives any sampling the rule does, so
    /// a run is a pure function of its seed.
    func makeState(for oracle: GradientOracle<Scalar>, seed: UInt64) -> State

    /// One iteration: w ← update(w, state, oracle evaluations).
    func step(_ w: UnsafeMutableBufferPointer<Scalar>, state: inout State, oracle: GradientOracle<Scalar>)
}

/// An optimizer behind closures, built where its concrete type is known (its registry entry),
/// so the step the harness calls is compiled for that rule and precision.
public struct AnyOptimizer<Scalar: KernelScalar>: Sendable {
    public let requirements: Requirements
    @usableFromInline let begin: @Sendable (GradientOracle<Scalar>, UInt64) -> OptimizerRun<Scalar>

    // Inlinable, so that a rule from another package is wrapped where its type is known and
    // its step runs specialised.
    @inlinable
    public init<O: Optimizer>(_ optimizer: O) where O.Scalar == Scalar {
        requirements = optimizer.requirements
        begin = { oracle, seed in
            var state = optimizer.makeState(for: oracle, seed: seed)
            return OptimizerRun { w in optimizer.step(w, state: &state, oracle: oracle) }
        }
    }

    /// A run of the rule on `oracle` from fresh state.
    public func start(on oracle: GradientOracle<Scalar>, seed: UInt64) -> OptimizerRun<Scalar> { begin(oracle, seed) }
}

/// One run of an optimizer: its state and oracle, stepped by the harness.
public final class OptimizerRun<Scalar: KernelScalar> {
    let advance: (UnsafeMutableBufferPointer<Scalar>) -> Void
    @usableFromInline init(_ advance: @escaping (UnsafeMutableBufferPointer<Scalar>) -> Void) { self.advance = advance }
    /// One iteration of the rule on `w`.
    public func step(_ w: UnsafeMutableBufferPointer<Scalar>) { advance(w) }
}

/// A rule configured for both precisions: what `OptimizerEntry.make` returns.
public struct ConfiguredOptimizer: Sendable {
    public let float32: AnyOptimizer<Float>
    public let float64: AnyOptimizer<Double>
    public init(float32: AnyOptimizer<Float>, float64: AnyOptimizer<Double>) {
        self.float32 = float32
        self.float64 = float64
    }
    public var requirements: Requirements { float64.requirements }
}
