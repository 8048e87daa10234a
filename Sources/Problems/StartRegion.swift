import Core

/// Named starting regions of the scalar depth toys `w7` and `product` (survey §4.1), where a
/// product of L factors near 1 is the target:
///
/// - `vanishing`: every factor 0.2. The gradient carries a product of the other L − 1
///   factors, 0.2⁶ ≈ 6·10⁻⁵ for L = 7 (|F′| ≈ 9·10⁻⁴ for w7): gradient steps with a
///   basin-sized step barely move. (At exactly 0 the gradient is 0: a saddle, not slow.)
/// - `basin`: every factor 0.9, inside the good basin around 1 where F is smooth with curvature
///   near its value at the optimum (L for product, 2p² for w7).
/// - `exploding`: every factor 1.5: |F′| ≈ 2.6·10³ for w7 and curvature two orders above the
///   basin's, so a step size that works in the basin overshoots and diverges.
/// - `x0`: the explicit point given by the `x0` setting.
public enum StartRegion: String, CaseIterable, Sendable {
    case x0, vanishing, basin, exploding

    /// The common value of every factor, nil for `x0`.
    public var factor: Double? {
        switch self {
        case .x0: nil
        case .vanishing: 0.2
        case .basin: 0.9
        case .exploding: 1.5
        }
    }

    public static var names: [String] { allCases.map(\.rawValue) }

    /// The starting point of dimension `dimension` for the `start` and `x0` settings of `problem`.
    static func point(_ p: Parameters, dimension: Int, problem: String) throws(ConfigurationError) -> [Double] {
        let region = StartRegion(rawValue: p.text("start"))!
        if let f = region.factor { return [Double](repeating: f, count: dimension) }
        let x0 = p.vector("x0")
        guard x0.count == dimension else {
            throw ConfigurationError("problem '\(problem)': x0 has \(x0.count) entries; expected \(dimension) (or start=vanishing|basin|exploding)")
        }
        return x0
    }
}
