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

    /// The point the model is evaluated at when it is not the iterate `w` the rule steps — the
    /// schedule-free average x beside the gradient point y, averaged SGD's ā: written into
    /// `point`, returning true; false (the default) means w itself. Records, metrics and the
    /// stopping rule read this point; it costs no charged evaluation.
    func evaluationPoint(_ w: UnsafeBufferPointer<Scalar>, state: State, into point: UnsafeMutableBufferPointer<Scalar>) -> Bool

    /// |B_t| of the mini-batches the rule draws on a problem of n = `sampleCount` samples whose
    /// own mini-batch is `problem` (`Objective.miniBatch`): 0 for the full gradient; nil (the
    /// default) when no batch size decides what it draws (line searches, coordinate and
    /// variance-reduced rules).
    func resolvedBatchSize(problem: Int?, sampleCount: Int) -> Int?
}

extension Optimizer {
    public func resolvedBatchSize(problem: Int?, sampleCount: Int) -> Int? { nil }

    public func evaluationPoint(_ w: UnsafeBufferPointer<Scalar>, state: State, into point: UnsafeMutableBufferPointer<Scalar>) -> Bool {
        false
    }
}

/// An optimizer behind closures, built where its concrete type is known (its registry entry),
/// so the step the harness calls is compiled for that rule and precision.
public struct AnyOptimizer<Scalar: KernelScalar>: Sendable {
    public let requirements: Requirements
    @usableFromInline let batchSize: @Sendable (Int?, Int) -> Int?
    @usableFromInline let begin: @Sendable (GradientOracle<Scalar>, UInt64) -> OptimizerRun<Scalar>

    // Inlinable, so that a rule from another package is wrapped where its type is known and
    // its step runs specialised.
    @inlinable
    public init<O: Optimizer>(_ optimizer: O) where O.Scalar == Scalar {
        requirements = optimizer.requirements
        batchSize = { optimizer.resolvedBatchSize(problem: $0, sampleCount: $1) }
        begin = { oracle, seed in
            var state = optimizer.makeState(for: oracle, seed: seed)
            return OptimizerRun(
                step: { w in optimizer.step(w, state: &state, oracle: oracle) },
                evaluationPoint: { w, point in optimizer.evaluationPoint(w, state: state, into: point) })
        }
    }

    /// |B_t| on a problem of `sampleCount` samples whose own mini-batch is `problem`
    /// (`Optimizer.resolvedBatchSize`).
    public func resolvedBatchSize(problem: Int?, sampleCount: Int) -> Int? { batchSize(problem, sampleCount) }

    /// A run of the rule on `oracle` from fresh state.
    public func start(on oracle: GradientOracle<Scalar>, seed: UInt64) -> OptimizerRun<Scalar> { begin(oracle, seed) }
}

/// One run of an optimizer: its state and oracle, stepped by the harness.
public final class OptimizerRun<Scalar: KernelScalar> {
    let advance: (UnsafeMutableBufferPointer<Scalar>) -> Void
    let evaluation: (UnsafeBufferPointer<Scalar>, UnsafeMutableBufferPointer<Scalar>) -> Bool
    @usableFromInline init(step: @escaping (UnsafeMutableBufferPointer<Scalar>) -> Void,
                           evaluationPoint: @escaping (UnsafeBufferPointer<Scalar>, UnsafeMutableBufferPointer<Scalar>) -> Bool) {
        advance = step
        evaluation = evaluationPoint
    }
    /// One iteration of the rule on `w`.
    public func step(_ w: UnsafeMutableBufferPointer<Scalar>) { advance(w) }
    /// The rule's evaluation point for iterate `w` into `point` (`Optimizer.evaluationPoint`);
    /// false when it is w itself.
    public func evaluationPoint(_ w: UnsafeBufferPointer<Scalar>, into point: UnsafeMutableBufferPointer<Scalar>) -> Bool {
        evaluation(w, point)
    }
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
