import Core

/// An objective F: ℝᵈ → ℝ, usually a finite sum F(w) = (1/n) Σᵢ fᵢ(w) over n samples.
///
/// A problem owns its data, loss and gradients; it says what it can offer through
/// `capabilities` and, when known, its optimal value F*. It never counts evaluations: the
/// harness wraps it in a charging oracle. Instances may keep scratch buffers, so one instance
/// serves one run at a time.
public protocol Problem: AnyObject {
    /// Registry name with the settings that differ from defaults, e.g. `least-squares(kappa=100)`.
    var label: String { get }
    /// d.
    var dimension: Int { get }
    /// n (1 for a deterministic function).
    var sampleCount: Int { get }
    var capabilities: OracleCapabilities { get }
    /// F* = min F, when known exactly (closed form) or to high accuracy (reference solve).
    var optimalValue: Double? { get }
    /// Named scalar properties reported next to results (κ, λmax, …), in display order.
    var properties: [(name: String, value: Double)] { get }

    /// A deterministic starting point: the same seed gives the same bits.
    func initialPoint(seed: UInt64) -> [Double]
    func loss(at w: UnsafeBufferPointer<Double>) -> Double
    func lossAndGradient(at w: UnsafeBufferPointer<Double>, into gradient: UnsafeMutableBufferPointer<Double>) -> Double
    /// (1/|B|) Σ_{i∈B} ∇fᵢ(w).
    func sampleGradient(
        at w: UnsafeBufferPointer<Double>, samples: UnsafeBufferPointer<Int>,
        into gradient: UnsafeMutableBufferPointer<Double>)
    /// ∂F(w)/∂w_j.
    func coordinateGradient(at w: UnsafeBufferPointer<Double>, coordinate j: Int) -> Double
    /// For `.linearSamples` problems fᵢ(w) = φᵢ(xᵢᵀw) + (λ/2)‖w‖²: φᵢ′(xᵢᵀw), xᵢ and λ.
    func sampleDerivative(at w: UnsafeBufferPointer<Double>, sample i: Int) -> Double
    func features(ofSample i: Int) -> UnsafeBufferPointer<Double>
    var l2Penalty: Double { get }
    /// L_j, the Lipschitz constants of ∂F/∂w_j along w_j (for Lipschitz-weighted R-CD);
    /// false when the problem does not know them.
    func coordinateLipschitzConstants(into constants: UnsafeMutableBufferPointer<Double>) -> Bool
    /// Extra per-record metrics for traces (e.g. train and test accuracy), in a fixed order.
    var metricNames: [String] { get }
    func metrics(at w: UnsafeBufferPointer<Double>) -> [Double]
}

extension Problem {
    public var properties: [(name: String, value: Double)] { [] }
    public var metricNames: [String] { [] }
    public var l2Penalty: Double { 0 }
    public func coordinateLipschitzConstants(into constants: UnsafeMutableBufferPointer<Double>) -> Bool { false }
    public func sampleDerivative(at w: UnsafeBufferPointer<Double>, sample i: Int) -> Double {
        preconditionFailure("\(label) is not a linear model")
    }
    public func features(ofSample i: Int) -> UnsafeBufferPointer<Double> {
        preconditionFailure("\(label) is not a linear model")
    }
    public func metrics(at w: UnsafeBufferPointer<Double>) -> [Double] { [] }

    /// A deterministic function's only sample is the whole objective.
    public func sampleGradient(
        at w: UnsafeBufferPointer<Double>, samples: UnsafeBufferPointer<Int>,
        into gradient: UnsafeMutableBufferPointer<Double>
    ) {
        _ = lossAndGradient(at: w, into: gradient)
    }

    /// Component j of the full gradient; problems with a cheaper partial derivative override it.
    public func coordinateGradient(at w: UnsafeBufferPointer<Double>, coordinate j: Int) -> Double {
        var g = [Double](repeating: 0, count: dimension)
        g.withUnsafeMutableBufferPointer { _ = lossAndGradient(at: w, into: $0) }
        return g[j]
    }

    public func loss(_ w: [Double]) -> Double { w.withUnsafeBufferPointer { loss(at: $0) } }

    /// Returns (F(w), ∇F(w)) in fresh arrays; for tests and reporting, not hot loops.
    public func lossAndGradient(_ w: [Double]) -> (Double, [Double]) {
        var g = [Double](repeating: 0, count: dimension)
        let f = w.withUnsafeBufferPointer { wp in g.withUnsafeMutableBufferPointer { lossAndGradient(at: wp, into: $0) } }
        return (f, g)
    }
}
