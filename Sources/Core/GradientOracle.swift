/// What a problem can evaluate, and so what an optimizer may ask of it.
public struct OracleCapabilities: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// F(w) and ∇F(w) over the whole objective.
    public static let fullGradient = OracleCapabilities(rawValue: 1)
    /// ∇f_B(w) = (1/|B|) Σ_{i∈B} ∇f_i(w) for F = (1/n) Σᵢ fᵢ.
    public static let sampleGradients = OracleCapabilities(rawValue: 2)
    /// ∂F/∂w_j at the cost of 1/d of a full gradient.
    public static let coordinates = OracleCapabilities(rawValue: 4)
    /// A linear model fᵢ(w) = φᵢ(xᵢᵀw) + (λ/2)‖w‖², so ∇fᵢ(w) = φᵢ′(xᵢᵀw)·xᵢ + λw: variance-reduced
    /// methods store one scalar per sample instead of a d-vector.
    public static let linearSamples = OracleCapabilities(rawValue: 8)
}

/// The only door from an optimizer to a problem. Every evaluation is charged to an epoch
/// counter, in the survey's unit (Appendix C): one epoch is n sample-gradient evaluations,
/// so a full gradient or a function value costs 1, a mini-batch gradient |B|/n, and a
/// coordinate derivative 1/d. Optimizers cannot evaluate anything uncharged.
///
/// Buffers are flat `Double` arrays of length `dimension`; `into` buffers are overwritten.
public protocol GradientOracle: AnyObject {
    /// d, the number of parameters.
    var dimension: Int { get }
    /// n, the number of samples (1 for a deterministic function).
    var sampleCount: Int { get }
    var capabilities: OracleCapabilities { get }
    /// Epochs charged so far.
    var epochs: Double { get }

    /// F(w). Costs 1 epoch.
    func loss(at w: UnsafeBufferPointer<Double>) -> Double
    /// F(w), writing ∇F(w) into `gradient`. Costs 1 epoch.
    func lossAndGradient(at w: UnsafeBufferPointer<Double>, into gradient: UnsafeMutableBufferPointer<Double>) -> Double
    /// (1/|B|) Σ_{i∈B} ∇fᵢ(w) into `gradient`. Costs |B|/n epochs.
    func sampleGradient(
        at w: UnsafeBufferPointer<Double>, samples: UnsafeBufferPointer<Int>,
        into gradient: UnsafeMutableBufferPointer<Double>)
    /// ∂F(w)/∂w_j. Costs 1/d epochs.
    func coordinateGradient(at w: UnsafeBufferPointer<Double>, coordinate j: Int) -> Double

    /// φᵢ′(xᵢᵀw) for a `.linearSamples` problem. Costs 1/n epochs.
    func sampleDerivative(at w: UnsafeBufferPointer<Double>, sample i: Int) -> Double
    /// xᵢ, the feature row of sample i of a `.linearSamples` problem: data, not an evaluation,
    /// so free. Valid for the oracle's lifetime.
    func features(ofSample i: Int) -> UnsafeBufferPointer<Double>
    /// λ of a `.linearSamples` problem (0 when unregularised).
    var l2Penalty: Double { get }

    /// Writes L_j, a Lipschitz constant of ∂F/∂w_j along coordinate j (sup of ∂²F/∂w_j²; for
    /// least squares ‖X_{:j}‖²/n + λ), for every j into `constants` and returns true; returns
    /// false when the problem does not know them (the default). Problem constants, like feature
    /// rows: not charged. Used by Lipschitz-weighted coordinate descent.
    func coordinateLipschitzConstants(into constants: UnsafeMutableBufferPointer<Double>) -> Bool
}

extension GradientOracle {
    public func coordinateLipschitzConstants(into constants: UnsafeMutableBufferPointer<Double>) -> Bool { false }
}
