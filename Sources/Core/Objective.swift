import OptBenchKernels

/// The uncharged evaluation surface of an objective F: ℝᵈ → ℝ, usually a finite sum
/// F(w) = (1/n) Σᵢ fᵢ(w) over n samples, on parameters stored as one flat buffer of `Scalar`.
///
/// A problem implements it; optimizers never see it: they get a `GradientOracle`, which
/// charges every evaluation. Optional structure is offered as typed views — a linear model
/// (φᵢ′, xᵢ, λ), coordinates (∂F/∂w_j at 1/d of a gradient's cost), layers — and what a problem
/// can do is exactly the views it returns. A view is a promise about cost, since epochs are
/// charged by it. Views are read once per run, when the oracle is built, so any per-run scratch
/// they keep (a prediction cache, activations) belongs to that run.
public protocol Objective<Scalar>: AnyObject {
    associatedtype Scalar: KernelScalar
    /// d, the number of parameters.
    var dimension: Int { get }
    /// n, the number of samples (1 for a deterministic function).
    var sampleCount: Int { get }
    /// Named blocks of the flat parameter buffer (one block for classical problems).
    var layout: ParameterLayout { get }
    /// The mini-batch |B| the problem's data loader draws (a network's `batch_size`), which a
    /// rule's `batch_size=auto` takes; nil when the problem declares none (classical problems:
    /// each rule keeps its own default, as the survey's GD and SGD).
    var miniBatch: Int? { get }

    /// F(w).
    func loss(at w: UnsafeBufferPointer<Scalar>) -> Double
    /// F(w), writing ∇F(w) into `gradient`.
    func lossAndGradient(at w: UnsafeBufferPointer<Scalar>, into gradient: UnsafeMutableBufferPointer<Scalar>) -> Double
    /// ∇f_B(w) = (1/|B|) Σ_{i∈B} ∇fᵢ(w) into `gradient`; for n = 1 the only sample is F itself.
    func sampleGradient(at w: UnsafeBufferPointer<Scalar>, samples: UnsafeBufferPointer<Int>,
                        into gradient: UnsafeMutableBufferPointer<Scalar>)

    /// fᵢ(w) = φᵢ(xᵢᵀw) + (λ/2)‖w‖², or nil.
    func linearModel() -> LinearModelView<Scalar>?
    /// ∂F/∂w_j in about 1/d of a gradient's work, or nil.
    func coordinates() -> CoordinateView<Scalar>?
    /// Per-layer inputs and output gradients of a mini-batch, or nil.
    func layers() -> LayerView<Scalar>?
    /// The problem's extra per-record metrics (train and test accuracy, per-layer gradient
    /// norms) at w, given ∇F(w) as the record just computed it; uncharged, like every record.
    func metrics(at w: UnsafeBufferPointer<Scalar>, gradient: UnsafeBufferPointer<Scalar>) -> [Double]
}

extension Objective {
    public var layout: ParameterLayout { .single(dimension) }
    public var miniBatch: Int? { nil }
    public func linearModel() -> LinearModelView<Scalar>? { nil }
    public func coordinates() -> CoordinateView<Scalar>? { nil }
    public func layers() -> LayerView<Scalar>? { nil }
    public func metrics(at w: UnsafeBufferPointer<Scalar>, gradient: UnsafeBufferPointer<Scalar>) -> [Double] { [] }

    public func loss(_ w: [Scalar]) -> Double { w.withUnsafeBufferPointer { loss(at: $0) } }

    /// (F(w), ∇F(w)) in fresh arrays; for tests and reporting, not hot loops.
    public func lossAndGradient(_ w: [Scalar]) -> (Double, [Scalar]) {
        var g = [Scalar](repeating: 0, count: dimension)
        let f = w.withUnsafeBufferPointer { wp in g.withUnsafeMutableBufferPointer { lossAndGradient(at: wp, into: $0) } }
        return (f, g)
    }
}

/// An objective behind closures, with its views read once: the one form the harness and the
/// oracle hold. Built where the concrete objective type is known (a registry factory, a test),
/// so every closure is compiled for that type and precision — calling a generic problem through
/// an existential instead runs unspecialised code per element, hundreds of times slower.
public final class AnyObjective<Scalar: KernelScalar>: Objective {
    public let dimension: Int
    public let sampleCount: Int
    public let layout: ParameterLayout
    public let miniBatch: Int?
    let lossFunction: (UnsafeBufferPointer<Scalar>) -> Double
    let lossAndGradientFunction: (UnsafeBufferPointer<Scalar>, UnsafeMutableBufferPointer<Scalar>) -> Double
    let sampleGradientFunction: (UnsafeBufferPointer<Scalar>, UnsafeBufferPointer<Int>, UnsafeMutableBufferPointer<Scalar>) -> Void
    let linearModelView: LinearModelView<Scalar>?
    let coordinateView: CoordinateView<Scalar>?
    let layerView: LayerView<Scalar>?
    let metricsFunction: (UnsafeBufferPointer<Scalar>, UnsafeBufferPointer<Scalar>) -> [Double]
    /// The wrapped objective, kept alive for the closures.
    public let base: AnyObject

    public init<O: Objective>(_ objective: O) where O.Scalar == Scalar {
        dimension = objective.dimension
        sampleCount = objective.sampleCount
        layout = objective.layout
        miniBatch = objective.miniBatch
        lossFunction = { objective.loss(at: $0) }
        lossAndGradientFunction = { objective.lossAndGradient(at: $0, into: $1) }
        sampleGradientFunction = { objective.sampleGradient(at: $0, samples: $1, into: $2) }
        linearModelView = objective.linearModel()
        coordinateView = objective.coordinates()
        layerView = objective.layers()
        metricsFunction = { objective.metrics(at: $0, gradient: $1) }
        base = objective
    }

    public func loss(at w: UnsafeBufferPointer<Scalar>) -> Double { lossFunction(w) }
    public func lossAndGradient(at w: UnsafeBufferPointer<Scalar>, into gradient: UnsafeMutableBufferPointer<Scalar>) -> Double {
        lossAndGradientFunction(w, gradient)
    }
    public func sampleGradient(at w: UnsafeBufferPointer<Scalar>, samples: UnsafeBufferPointer<Int>,
                               into gradient: UnsafeMutableBufferPointer<Scalar>) {
        sampleGradientFunction(w, samples, gradient)
    }
    public func linearModel() -> LinearModelView<Scalar>? { linearModelView }
    public func coordinates() -> CoordinateView<Scalar>? { coordinateView }
    public func layers() -> LayerView<Scalar>? { layerView }
    public func metrics(at w: UnsafeBufferPointer<Scalar>, gradient: UnsafeBufferPointer<Scalar>) -> [Double] {
        metricsFunction(w, gradient)
    }

    /// What the views make available, for checking an optimizer's needs before a run.
    public var capabilities: Capabilities { Capabilities(self) }
}
