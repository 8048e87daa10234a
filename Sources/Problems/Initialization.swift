import OptBenchCore
import OptBenchKernels

/// `init=zeros|gaussian`, the start of least squares, logistic regression and matrix
/// factorisation.
///
/// - `zeros`: w₀ = 0, the start of scikit-learn, scipy and the survey's analysis of linear models.
/// - `gaussian`: a seeded draw from the run seed (see each problem for its scale).
public enum StandardInit: String, ParameterChoice {
    case zeros, gaussian
}

/// `init=zeros|gaussian|x0` for a problem whose start is an explicit point (`rosenbrock`):
/// `x0` is the `x0` setting, `gaussian` a seeded draw w₀ ~ N(0, I/d).
public enum PointInit: String, ParameterChoice {
    case zeros, gaussian, x0

    /// The same start among the regions.
    public var region: StartRegion {
        switch self {
        case .zeros: .zeros
        case .gaussian: .gaussian
        case .x0: .x0
        }
    }
}

/// `init` for the scalar depth toys `w7` and `product` (survey §4.1), where a product of L
/// factors near 1 is the target: the starts of `PointInit` plus three named regions.
///
/// - `vanishing`: every factor 0.2. The gradient carries a product of the other L − 1
///   factors, 0.2⁶ ≈ 6·10⁻⁵ for L = 7 (|F′| ≈ 9·10⁻⁴ for w7): gradient steps with a
///   basin-sized step barely move. (At exactly 0 the gradient is 0: a saddle, not slow.)
/// - `basin`: every factor 0.9, inside the good basin around 1 where F is smooth with curvature
///   near its value at the optimum (L for product, 2p² for w7).
/// - `exploding`: every factor 1.5: |F′| ≈ 2.6·10³ for w7 and curvature two orders above the
///   basin's, so a step size that works in the basin overshoots and diverges.
/// - `x0`: the explicit point given by the `x0` setting; `zeros`: every factor 0;
///   `gaussian`: w₀ ~ N(0, I/d) from the run seed.
public enum StartRegion: String, ParameterChoice {
    case zeros, gaussian, x0, vanishing, basin, exploding

    /// The common value of every factor, nil for `x0` and `gaussian`.
    public var factor: Double? {
        switch self {
        case .zeros: 0
        case .vanishing: 0.2
        case .basin: 0.9
        case .exploding: 1.5
        case .x0, .gaussian: nil
        }
    }
}

/// The fixed start an `init` setting names, nil for `gaussian`; an `x0` given with another
/// `init`, or of the wrong length, is an error that lists the other `choices`.
func fixedStart(
    x0 setting: HyperParameter<[Double]>, region: StartRegion, choices: [String], dimension: Int, problem: String
) throws(ConfigurationError) -> [Double]? {
    if region != .x0, setting.isSet {
        throw ConfigurationError("problem '\(problem)': x0 is given with init=\(region.rawValue); expected init=x0 with x0, or no x0")
    }
    if let f = region.factor { return [Double](repeating: f, count: dimension) }
    guard region == .x0 else { return nil }
    let x0 = setting.wrappedValue
    guard x0.count == dimension else {
        let others = choices.filter { $0 != StartRegion.x0.rawValue }.joined(separator: "|")
        throw ConfigurationError("problem '\(problem)': x0 has \(x0.count) entries; expected \(dimension) (or init=\(others))")
    }
    return x0
}

/// w₀ ~ N(0, scale²·I/d) drawn from `seed`, rounded to `Scalar`.
func gaussianStart<Scalar: KernelScalar>(dimension d: Int, scale: Double = 1, seed: UInt64) -> [Scalar] {
    var rng = Xoshiro256(seed: seed, stream: 2)
    let s = scale / Double(d).squareRoot()
    return (0..<d).map { _ in Scalar(s * rng.nextGaussian()) }
}

/// start + spread·ξ with ξ ~ N(0, I) drawn from `seed` (start itself when spread is 0).
func perturbedStart(_ start: [Double], spread: Double, seed: UInt64) -> [Double] {
    guard spread > 0 else { return start }
    var rng = Xoshiro256(seed: seed, stream: 1)
    return start.map { $0 + spread * rng.nextGaussian() }
}
